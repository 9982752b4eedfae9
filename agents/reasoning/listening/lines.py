"""The words of the offline prospect: a few ways to say each move, in the manner of the
scenario's difficulty (easy: cooperative, medium: busy and direct, hard: skeptical), so that the
buyer keeps one persona for the whole session.

Lines are chosen by a stable hash of the conversation's state (:func:`pick`), never at random:
a replayed session says the same things. Every line is the buyer speaking: no stage directions,
no name prefix, nothing the seller would say.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

Pool = Mapping[str, Sequence[str]]

GREETINGS: Pool = {
    "easy": ("Hi, thanks for calling.", "Hello, good to hear from you."),
    "medium": ("Hi, thanks for calling. I only have a few minutes.", "Hello. I read your email, so let's get to it."),
    "hard": (
        "Hi there. Before we go further, I have to be honest with you.",
        "Hello. I'll be upfront with you.",
    ),
}
TRANSITIONS: Pool = {
    "easy": ("That helps, thank you.", "Okay, that makes sense."),
    "medium": ("Okay, that helps.", "Fair enough."),
    "hard": ("All right, I can see that.", "Fine, I'll give you that."),
}
CLOSING_INVITATIONS: Pool = {
    "easy": ("I'm feeling better about this. What would the next step be?",),
    "medium": (
        "Okay, you've answered my questions. So what would the next step be?",
        "All right, I'm more comfortable now. What do you suggest we do next?",
    ),
    "hard": ("You've answered my questions, for now. So what exactly would the next step be?",),
}
# The concern was not answered and the reply did not even name it.
PUSH_BACKS: Pool = {
    "easy": ("I'm not sure that answers it.", "I'm still not clear on that."),
    "medium": ("That doesn't really answer it for me.", "That's not quite what I asked."),
    "hard": ("That's not an answer to my question.", "You're not addressing what I said."),
}
# The reply named the concern but did not answer it.
PRESSES: Pool = {
    "easy": ("Thanks, but how would you actually deal with it?", "I appreciate that, but how would that work for us?"),
    "medium": (
        "You've named my concern, but you haven't answered it.",
        "I hear that you understand, but how would you actually deal with it?",
    ),
    "hard": ("Saying you understand isn't the same as answering.", "You keep naming it without answering it."),
}
ESCALATIONS = ("Look, you're not really answering my question.", "I feel like I'm repeating myself here.")
# After answering the rep's question: the concern on the table is still there.
HOLDS: Pool = {
    "easy": ("But I'd still like an answer on my concern.",),
    "medium": ("But that doesn't change my concern.",),
    "hard": ("That's how it is. It doesn't change my concern.",),
}
# A question about the buyer's business the call does not answer.
DEFLECTIONS = ("I'd rather not get into that right now.", "I don't have that to hand.")
EARLY_STEPS = (
    "Let's not get ahead of ourselves with {step}.",
    "Before we talk about {step}, I need an answer on this.",
)
ASK_STEPS = ("So what exactly are you proposing as a next step?", "What would you want from me next, concretely?")
CLOSING_PUSH_BACKS = ("I'm not sure what you're actually proposing.", "What exactly would you want from me next?")
ACCEPTANCES: Pool = {
    "easy": ("{Step} works for me. Send me the details.", "Okay, let's do {step}. Send me an invite."),
    "medium": ("{Step} works for me. Send me the details.", "Fine, let's go ahead with {step}."),
    "hard": ("All right. {Step}, then. Send me the details in writing.", "Fine, let's go ahead with {step}."),
}
# The close when the rep's exact words are unknown (the engine was not given the reply).
AGREEMENTS = (
    "Okay, let's do that. Send me the details.",
    "That works for me. Let's set it up.",
    "Fine, let's go ahead with that.",
)
# A next step proposed at the close with an answer that did not pass.
COUNTERS: Pool = {
    "easy": ("{Step} could work, but what would it involve for us?",),
    "medium": ("{Step} is a big ask right now. What would my team actually get out of it?",),
    "hard": ("I'm not agreeing to {step} yet. You haven't shown me it's worth our time.",),
}
# A skeptical buyer does not agree to a step without a time and a shape.
CLARIFICATIONS = (
    "Maybe. What exactly would {step} involve, and when?",
    "Possibly. When would {step} happen, and who would be there?",
)
LOSSES = (
    "I don't think this is going to work for us. Thanks for your time.",
    "Let's leave it here for now. I'm not convinced.",
)


def pick(options: Sequence[str], *key: object) -> str:
    """One of ``options``, chosen by a stable hash of ``key`` (no randomness, no PYTHONHASHSEED)."""
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def in_manner(pool: Pool, difficulty: str) -> Sequence[str]:
    return pool.get(difficulty, pool["medium"])


def with_step(template: str, step: str) -> str:
    """``template`` with the step named: ``{Step}`` opening a sentence, ``{step}`` inside one."""
    return template.replace("{Step}", step[:1].upper() + step[1:]).replace("{step}", step)


def spoken(*parts: str | None) -> str:
    """The parts of a line, in order, as one line."""
    return " ".join(part.strip() for part in parts if part and part.strip())
