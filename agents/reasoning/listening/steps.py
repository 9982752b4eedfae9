"""A next step the rep proposes ("would you be open to a four week pilot next month?"): whether
there is one, what it is and when, so that the buyer can answer it by name.

A proposal is a sentence that proposes an action (the champion-move cues of
:mod:`agents.reasoning.categories`: "can we", "let's", "how about", "as a next step", or a
booking verb) and names a thing to do or a time to do it: "let's talk about features" proposes
nothing to agree to; "let's book thirty minutes on Tuesday" does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.reasoning import categories as cat
from agents.reasoning.listening.clean import sentences_of

_STEP_NOUN = re.compile(
    r"\b(?:pilot|trial clean|trial|demo|demonstration|meeting|call|workshop|proposal|quote|kickoff|kick-off|"
    r"walkthrough|walk-through|site visit|visit|session|training|presentation|contract|agreement|"
    r"invite|invitation|business case|summary|assessment|audit|proof of concept|follow-up)s?\b"
)
_BOOKING_VERB = re.compile(r"\b(?:book|schedule|set up|arrange|plan|organi[sz]e|put in)\b")
_PROPOSAL_VERB = re.compile(
    r"\b(?:book|schedule|set (?:up|(?:it|that|this|something|a time) up)|arrange|sign|start with|get started|"
    r"kick off|send (?:you|over)|put together|come (?:by|over)|join|try)\b"
)
_TIME = re.compile(
    r"\b(?:today|tonight|tomorrow|this week|next week|this month|next month|the week after next|"
    r"(?:on |this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?: (?:morning|afternoon|evening))?|"
    r"(?:at|by) (?:\d{1,2}(?::\d\d)?(?: ?[ap]\.?m\.?)?|noon|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve)|first of (?:next|the) month|end of (?:the|this|next) (?:week|month)|"
    r"in (?:a|one|two|three|four|\d+) (?:days?|weeks?))\b"
)
# Words that end a booked thing ("book thirty minutes | with your team").
_OBJECT_END = re.compile(r"\s(?:with|to|so|for|and|because|if|where|which|that would)\s|[,.;?!]")
_PRONOUN_OBJECT = re.compile(r"^(?:it|that|this|something|a time|one|them|us|you|in)\b")
_DETERMINER = re.compile(r"^(?:a|an|the|our|your|this|that|one|some)\s+")
# Modifiers kept before a step noun ("a four week | pilot", "a free site | visit").
_MODIFIER = re.compile(r"^(?:[a-z]+-?[a-z]*)$")
_NOT_MODIFIER = frozenset(
    [
        "a",
        "an",
        "the",
        "our",
        "your",
        "my",
        "this",
        "that",
        "to",
        "for",
        "with",
        "on",
        "in",
        "at",
        "of",
        "we",
        "you",
        "i",
        "us",
        "me",
        "can",
        "could",
        "would",
        "will",
        "shall",
        "be",
        "open",
        "is",
        "are",
        "and",
        "or",
        "do",
        "have",
        "let's",
        "lets",
        "get",
        "send",
        "set",
        "up",
        "book",
        "schedule",
        "arrange",
        "start",
        "as",
        "next",
        "step",
        "so",
        "if",
        "how",
        "about",
        "why",
        "don't",
        "like",
        "into",
    ]
)
# A go-ahead is a next step of its own, even without a thing or a time ("can we get started?").
_GO_AHEAD = re.compile(r"\b(?:get started|move forward|go ahead|sign up|kick (?:it|this|things) off)\b")
_WEEKDAY = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")


@dataclass(frozen=True)
class NextStep:
    what: str  # "the four week pilot", "thirty minutes on Tuesday"; "that" when unnamed
    when: str | None  # "next month", "on Thursday evening"; None when no time is named


def proposes_next_step(text: str) -> bool:
    return next_step_in(text) is not None


def next_step_in(text: str) -> NextStep | None:
    """The next step ``text`` proposes, or None."""
    sentences = sentences_of(text)
    proposals = [s.lower() for s in sentences if _proposes(s.lower())]
    if not proposals:
        return None
    time = _TIME.search(text.lower())
    what = next((phrase for phrase in map(_step_phrase, proposals) if phrase), None)
    if what is None and time is None and not any(_GO_AHEAD.search(p) for p in proposals):
        return None
    return NextStep(what=_days_named(what or "that"), when=_days_named(time.group(0)) if time else None)


def _proposes(lowered: str) -> bool:
    if not (cat.ACTION_PROPOSAL.search(lowered) or _PROPOSAL_VERB.search(lowered)):
        return False
    return bool(
        _STEP_NOUN.search(lowered) or _TIME.search(lowered) or _GO_AHEAD.search(lowered) or "next step" in lowered
    )


def _step_phrase(lowered: str) -> str | None:
    """What the sentence books ("thirty minutes on tuesday"), else its step noun with the
    modifiers before it ("the four week pilot")."""
    booking = _BOOKING_VERB.search(lowered)
    if booking:
        rest = lowered[booking.end() :].strip() + " "
        booked = rest[: _OBJECT_END.search(rest).start()].strip() if _OBJECT_END.search(rest) else rest.strip()
        if booked and not _PRONOUN_OBJECT.match(booked) and len(booked.split()) <= 6:
            return _with_article(_DETERMINER.sub("", booked), had_article=bool(_DETERMINER.match(booked)))
    noun = _STEP_NOUN.search(lowered)
    if noun is None:
        return None
    before = lowered[: noun.start()].split()
    modifiers: list[str] = []
    while before and len(modifiers) < 3 and before[-1] not in _NOT_MODIFIER and _MODIFIER.match(before[-1]):
        modifiers.insert(0, before.pop())
    return " ".join(["the", *modifiers, noun.group(0)])


def _days_named(phrase: str) -> str:
    return _WEEKDAY.sub(lambda match: match.group(0).capitalize(), phrase)


def _with_article(phrase: str, *, had_article: bool) -> str:
    return f"the {phrase}" if had_article else phrase
