"""The judge's feedback: the champion's phrase to learn from, then tips and praise per criterion."""

from __future__ import annotations

from agents.formatting import mmss
from agents.reasoning import categories as cat
from agents.reasoning.extraction import objection_topic
from agents.reasoning.judge.criteria import WEIGHTS
from agents.reasoning.judge.moment import JudgeMoment
from agents.types import Pattern

# Below this, a criterion gets a tip in the feedback; at or above _STRONG, a word of praise.
_WEAK = 60
_STRONG = 80


def reference_line(moment: JudgeMoment, reference: Pattern) -> str:
    when = mmss(reference.start)
    if reference.category == cat.OBJECTION_RESPONSE:
        topic = objection_topic(moment.objection.text) if moment.objection else None
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


def criteria_feedback(criteria: dict[str, int]) -> list[str]:
    """Tips for the weak criteria, weakest first (the heavier first between equal scores), then
    praise for the strong ones, strongest first."""
    ranked = sorted(criteria, key=lambda name: (criteria[name], -WEIGHTS[name]))
    tips = [_TIPS[name] for name in ranked if criteria[name] < _WEAK]
    return tips + [_PRAISE[name] for name in reversed(ranked) if criteria[name] >= _STRONG]
