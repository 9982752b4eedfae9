"""The offline prospect: plays the scenario's buyer and raises the call's real objections in order.

A conversation is a small state machine the training app persists (``stage``, ``weak_streak``):

- The prospect opens with a greeting in character and the first objection, in the buyer's own
  words from the champion's call.
- At each trainee reply (already scored by the judge), a reply that handles the objection on the
  table moves the prospect to the next objection; a weak one gets a push-back on the same concern,
  then an escalation. After the last objection the prospect asks what the next step is; a good
  answer to that wins the call. ``MAX_WEAK_STREAK`` weak replies in a row lose it.

Lines vary with the conversation (persona, concern, how many times the rep has missed) but are
chosen by a stable hash of the state, never at random: a replayed session says the same things.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from agents.reasoning.extraction import objection_topic
from agents.types import ProspectTurn, ReplyEvaluation, ScenarioSpec

MAX_WEAK_STREAK = 3
# A skeptical buyer needs a better answer before giving ground.
PASS_SCORE = {"easy": 55, "medium": 60, "hard": 68}

_GREETINGS = (
    "Hi, thanks for calling. I only have a few minutes.",
    "Hello. I read your email, so let's get to it.",
    "Hi there. Before we go further, I have to be honest with you.",
)
_TRANSITIONS = (
    "Okay, that helps.",
    "All right, I can see that.",
    "Fair enough.",
    "That makes sense.",
)
_PUSH_BACKS: dict[str, tuple[str, ...]] = {
    "price": (
        "I still don't see how that justifies the price.",
        "That doesn't really answer the cost question for me.",
    ),
    "timing": (
        "I hear you, but the timing still worries me.",
        "That doesn't change the fact that now is a bad moment for us.",
    ),
    "competitor": (
        "I'm still not sure why we'd change what we already have.",
        "That doesn't tell me what we'd gain over our current setup.",
    ),
    "authority": (
        "I still can't commit to this on my own.",
        "My boss is going to ask me harder questions than that.",
    ),
    "need": (
        "I'm still not convinced we need this.",
        "Honestly, it still sounds like a nice-to-have for us.",
    ),
    "risk": (
        "I'm still worried about that.",
        "That doesn't really take my concern away.",
    ),
}
_ESCALATIONS = (
    "Look, you're not really answering my question.",
    "I feel like I'm repeating myself here.",
)
_CLOSING_INVITATIONS = (
    "Okay, you've answered my questions. So what would the next step be?",
    "All right, I'm more comfortable now. What do you suggest we do next?",
)
_CLOSING_PUSH_BACKS = (
    "I'm not sure what you're actually proposing.",
    "What exactly would you want from me next?",
)
_AGREEMENTS = (
    "Okay, let's do that. Send me the details.",
    "That works for me. Let's set it up.",
    "Fine, let's go ahead with that.",
)
_LOSSES = (
    "I don't think this is going to work for us. Thanks for your time.",
    "Let's leave it here for now. I'm not convinced.",
)


def _pick(options: Sequence[str], *key: object) -> str:
    """One of ``options``, chosen by a stable hash of ``key`` (no randomness, no PYTHONHASHSEED)."""
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def pass_score(scenario: ScenarioSpec) -> int:
    return PASS_SCORE.get(scenario.difficulty, PASS_SCORE["medium"])


def prospect_opening(scenario: ScenarioSpec) -> ProspectTurn:
    greeting = _pick(_GREETINGS, scenario.title, "greeting")
    if scenario.objections:
        return ProspectTurn(text=f"{greeting} {scenario.objections[0].text}", stage=0, weak_streak=0)
    # No objection in the call: the buyer lets the rep lead, and the close is all that is left.
    return ProspectTurn(text=f"{greeting} What did you want to talk about?", stage=0, weak_streak=0)


def prospect_reply(
    scenario: ScenarioSpec, *, stage: int, weak_streak: int, evaluation: ReplyEvaluation, turn_index: int
) -> ProspectTurn:
    """The prospect's answer to a trainee reply scored ``evaluation`` at ``stage``."""
    objections = scenario.objections
    key = (scenario.title, stage, weak_streak, turn_index)
    if evaluation.score >= pass_score(scenario):
        next_stage = stage + 1
        if stage >= len(objections):
            return ProspectTurn(
                _pick(_AGREEMENTS, *key), stage=len(objections), weak_streak=0, outcome="won", moved_on=True
            )
        transition = _pick(_TRANSITIONS, *key)
        if next_stage < len(objections):
            return ProspectTurn(
                f"{transition} {objections[next_stage].text}", stage=next_stage, weak_streak=0, moved_on=True
            )
        return ProspectTurn(
            f"{transition} {_pick(_CLOSING_INVITATIONS, *key)}", stage=next_stage, weak_streak=0, moved_on=True
        )

    weak_streak += 1
    if weak_streak >= MAX_WEAK_STREAK:
        return ProspectTurn(_pick(_LOSSES, *key), stage=stage, weak_streak=weak_streak, outcome="lost")
    if stage >= len(objections):
        return ProspectTurn(_pick(_CLOSING_PUSH_BACKS, *key), stage=stage, weak_streak=weak_streak)
    objection = objections[stage]
    push_back = _pick(_PUSH_BACKS.get(objection_topic(objection.text) or "risk", _PUSH_BACKS["risk"]), *key)
    if weak_streak == 1:
        return ProspectTurn(push_back, stage=stage, weak_streak=weak_streak)
    # A second miss in a row: the buyer escalates and repeats the concern in their own words.
    return ProspectTurn(f"{_pick(_ESCALATIONS, *key)} {objection.text}", stage=stage, weak_streak=weak_streak)
