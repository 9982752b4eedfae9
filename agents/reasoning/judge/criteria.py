"""The judge's surface criteria, each scored 0-100 from the reply's own words: acknowledging,
value and a next step, a question, clarity. They say whether a move is *there*; whether it counts
depends on the reply being a relevant answer (:mod:`.scoring` gates them). Technique comes from
meaning (:mod:`.meaning`, :mod:`.scoring`)."""

from __future__ import annotations

import re

from agents.reasoning import categories as cat
from agents.reasoning.extraction import is_question
from agents.reasoning.judge.moment import JudgeMoment

WEIGHTS: dict[str, float] = {
    "technique": 0.35,
    "acknowledgment": 0.20,
    "value_next_step": 0.20,
    "discovery": 0.15,
    "clarity": 0.10,
}
_OPEN_QUESTION = re.compile(
    r"\b(?:what|how|why|which|tell me|walk me through|help me understand|can you share|"
    r"could you share|what's|how's)\b"
)
_ACKNOWLEDGE_ANYWHERE = re.compile(
    r"\b(?:i (?:completely |totally |fully )?(?:understand|get (?:that|it)|hear you|appreciate)|"
    r"(?:fair|valid|good|great|reasonable|real) (?:point|concern|question)|makes (?:total |a lot of )?sense|"
    r"understandable|you're right to|you are right to|i can imagine|that's frustrating|"
    r"that is frustrating|thanks for (?:raising|telling|sharing)|fair enough|understood|got it|"
    r"(?:you're|you are|they're|they are) right to|i see why|i can see why|"
    r"(?:concern|point|question|worry|stance) is (?:real|fair|valid|right|understandable)|"
    r"(?:exactly|absolutely) the right|i would (?:be careful|worry|ask) too|that's fair|that is fair)\b"
)
_DISMISSIVE = re.compile(
    r"\b(?:that's not true|that is not true|you're wrong|you are wrong|trust me|just sign|whatever|"
    r"doesn't matter|does not matter|not a real (?:problem|issue)|no one else|nobody else|"
    r"everyone (?:else )?(?:buys|signs)|you have to|you need to decide|take it or leave it|"
    r"don't worry about (?:it|that)|that's your problem|i don't know|not my problem|"
    r"(?:that's|that is) (?:silly|ridiculous|nonsense)|you(?:'re| are) overthinking|"
    r"stop worrying|nobody (?:cares|complains))\b"
)
# Pressure instead of an answer: deadlines, ultimatums, "sign now".
_PUSHY = re.compile(
    r"\b(?:sign (?:today|now|it now|the contract (?:today|now))|(?:decide|commit) (?:today|now|right now)|"
    r"need (?:an answer|a decision|you to sign)|(?:this|the) offer (?:ends|expires)|only (?:valid|good) "
    r"(?:today|until)|last chance|final offer|limited time|before (?:the )?(?:price|it) goes up|"
    r"you'd be (?:crazy|foolish)|no(?:body| one) (?:says|said) no|just sign)\b"
)
_FILLERS = re.compile(r"\b(?:um+|uh+|er+m?|like,|you know|basically|kind of|sort of|i mean)\b")
_ACTION_WORDS = re.compile(
    r"\b(?:next step|schedule|book|calendar|invite|send|set up|pilot|trial|demo|meeting|call|walk "
    r"(?:you|your|them)|show you|prepare|follow up|start with|try)\b"
)


def is_dismissive(lowered: str) -> bool:
    return bool(_DISMISSIVE.search(lowered))


def is_pushy(lowered: str) -> bool:
    return bool(_PUSHY.search(lowered))


def acknowledgment_score(lowered: str, moment: JudgeMoment, *, names_concern: bool) -> int:
    """``names_concern``: the reply is about the buyer's concern, measured on meaning by the
    caller (a paraphrase of the concern names it as well as its words)."""
    if is_dismissive(lowered):
        return 0
    acknowledges = bool(cat.CONCERN_ACKNOWLEDGMENT.match(lowered) or _ACKNOWLEDGE_ANYWHERE.search(lowered))
    if moment.stage == "objection" and moment.objection is not None:
        return 100 if acknowledges and names_concern else 65 if acknowledges else 35 if names_concern else 10
    # Opening or closing: warmth towards what the buyer just said.
    warm = acknowledges or bool(re.search(r"\b(?:thank|thanks|great|glad|appreciate|happy to|good to)\b", lowered))
    return 90 if warm else 40


def value_next_step_score(text: str, lowered: str, moment: JudgeMoment) -> int:
    value_cues = (
        len(cat.VALUE_CUE.findall(lowered))
        + len(cat.SOCIAL_PROOF.findall(lowered))
        + len(cat.BENEFICIARY_GETS.findall(lowered))
        + (1 if re.search(r"\b\d+|percent\b", lowered) else 0)
    )
    next_step = bool(cat.ACTION_PROPOSAL.search(lowered) or _ACTION_WORDS.search(lowered))
    value = min(1.0, value_cues / 2)
    if moment.stage == "closing":
        # At the close the next step is the point; value is the support for it.
        return round(100 * (0.7 * next_step + 0.3 * value))
    if moment.stage == "opening":
        # Opening: a reason for the call that matters to the buyer, and the plan for it.
        return round(100 * (0.5 * min(1.0, value + 0.5 * bool(re.search(r"\byour?\b", lowered))) + 0.5 * next_step))
    return round(100 * (0.6 * value + 0.4 * next_step))


def discovery_score(text: str, lowered: str) -> int:
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]
    questions = [s for s in sentences if is_question(s)]
    if not questions:
        return 20
    if any(_OPEN_QUESTION.search(q.lower()) for q in questions):
        return 100
    return 60


def clarity_score(text: str, lowered: str) -> int:
    words = text.split()
    count = len(words)
    if count < 5:
        score = 20
    elif count < 12:
        score = 60
    elif count <= 70:
        score = 100
    elif count <= 110:
        score = 60
    else:
        score = 30
    sentences = [s for s in re.split(r"[.?!]+", text) if s.strip()]
    if sentences and count / len(sentences) > 30:
        score -= 20  # one long breathless sentence is hard to follow on a call
    score -= 15 * len(_FILLERS.findall(lowered))
    return max(0, score)
