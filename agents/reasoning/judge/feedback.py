"""The judge's feedback: the champion's phrase to learn from, whether the reply answered the
concern at all, then tips and praise per criterion."""

from __future__ import annotations

from agents.formatting import mmss
from agents.reasoning import categories as cat
from agents.reasoning.categories.topics import objection_topic_of
from agents.reasoning.judge.criteria import WEIGHTS
from agents.reasoning.judge.moment import JudgeMoment
from agents.reasoning.judge.scoring import MeaningScores
from agents.types import Pattern

# Below this, a criterion gets a tip in the feedback; at or above _STRONG, a word of praise.
_WEAK = 60
_STRONG = 80


def reference_line(moment: JudgeMoment, reference: Pattern) -> str:
    when = mmss(reference.start)
    if reference.category == cat.OBJECTION_RESPONSE:
        topic = objection_topic_of(moment.objection.text) if moment.objection else None
        concern = f"the {topic} objection" if topic and topic != "risk" else "this objection"
        return f'At {when} your champion answered {concern} with: "{reference.text}"'
    verbs = {
        cat.OPENER: "opened with",
        cat.DISCOVERY_QUESTION: "asked",
        cat.VALUE_STATEMENT: "made the case with",
        cat.CLOSING: "closed with",
        cat.KEY_PHRASE: "said",
    }
    return f'At {when} your champion {verbs.get(reference.category, "said")}: "{reference.text}"'


_TIPS = {
    "technique": "Get closer to how your champion handled this moment (see their phrase above).",
    "acknowledgment": "Start by acknowledging the concern and naming it before you answer it.",
    "value_next_step": "Tie your answer to a concrete result for the buyer and propose a next step.",
    "discovery": "Ask an open question (what, how, why) to understand what is behind it.",
    "clarity": "Keep it to two or three short sentences, without filler words.",
}
_PRAISE = {
    "technique": "Your answer follows your champion's technique closely.",
    "acknowledgment": "You acknowledged the concern before answering.",
    "value_next_step": "You gave a concrete benefit and moved towards a next step.",
    "discovery": "Good open question to keep the buyer talking.",
    "clarity": "Clear and concise.",
}


# A surface move that was there but counted little because the reply did not answer the concern.
_GATED_TIPS = {
    "acknowledgment": "Your acknowledgment only counts once the rest of the reply answers the concern.",
    "value_next_step": "A benefit or a next step only counts when it answers the concern on the table.",
    "discovery": "Your question only counts on top of an answer to the concern.",
    "clarity": "Short sentences only help when they say something about the concern.",
}
# Below this gate the reply is not taken as an answer, and the feedback says why first.
_NOT_AN_ANSWER = 0.5
# A reply of fewer words that is no answer is told it is too short ("ok", "sure thing").
_TOO_SHORT_WORDS = 4
_PUSHY = "Do not pressure or brush off the buyer: answer {concern} instead."
_OWN_WAY = (
    "You answered the concern in your own way, which counts; your champion's phrase above is the move "
    "that won this buyer over, and following it scores higher."
)


def meaning_feedback(moment: JudgeMoment, scores: MeaningScores | None, *, words: int) -> list[str]:
    """What kept the reply from counting as an answer, when something did: empty when it did.
    ``words``: the reply's words, so that an "ok" is told it is too short, not that it is a
    list of keywords (it has no function words either)."""
    if scores is None:
        return ["Answer the buyer: your reply was empty."]
    if scores.gate >= _NOT_AN_ANSWER:
        return [_OWN_WAY] if scores.own_way else []
    concern = "the concern the buyer raised" if moment.stage == "objection" else "what the buyer just said"
    if words < _TOO_SHORT_WORDS:
        if scores.manner < 1.0:
            return [_PUSHY.format(concern=concern)]
        return [f"Your reply is too short to answer {concern}: say in a sentence or two how you would handle it."]
    if scores.coherence < 0.5:
        return [f"Your reply does not read as sentences: answer {concern} in plain words, not a list of keywords."]
    if scores.sense < 0.5:
        return [f"Part of your reply makes no sense here: drop what is not about {concern}."]
    if scores.manner < 1.0:
        return [_PUSHY.format(concern=concern)]
    if scores.coverage < 0.5:
        return [f"Most of your reply is not about {concern}: keep to it."]
    # The judge compares meanings, and a sound answer in other words can escape it: it says what
    # it saw, not that the rep is wrong, and points to the dispute.
    return [
        f"Your reply did not read as an answer to {concern}, compared in meaning with the buyer's line and "
        "your champion's answer: name the concern and answer it as your champion did, or dispute the score "
        "if you did answer it."
    ]


def criteria_feedback(criteria: dict[str, int], *, gated: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Tips for the weak criteria, weakest first (the heavier first between equal scores), then
    praise for the strong ones, strongest first. ``gated``: criteria whose move was in the reply
    but counted less because the reply did not answer the concern; their tip says so."""
    ranked = sorted(criteria, key=lambda name: (criteria[name], -WEIGHTS[name]))
    tips = [(_GATED_TIPS if name in gated else _TIPS)[name] for name in ranked if criteria[name] < _WEAK]
    return tips + [_PRAISE[name] for name in reversed(ranked) if criteria[name] >= _STRONG]
