"""Where the conversation stands when the trainee replies, and the champion's patterns for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.reasoning import categories as cat
from agents.types import Objection, Pattern, ScenarioSpec

STAGES = ("opening", "objection", "closing")
# The champion's moves a reply is compared with, per stage.
STAGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "opening": (cat.OPENER, cat.DISCOVERY_QUESTION),
    "objection": (cat.OBJECTION_RESPONSE, cat.VALUE_STATEMENT),
    "closing": (cat.CLOSING, cat.VALUE_STATEMENT),
}


@dataclass(frozen=True)
class JudgeMoment:
    """Where the conversation stands when the trainee replies."""

    stage: str  # "opening" | "objection" | "closing"
    prospect_line: str
    objection: Objection | None = None  # the objection on the table, in the objection stage


def judge_moment(scenario: ScenarioSpec, stage: int, prospect_line: str) -> JudgeMoment:
    """The judge's view of the moment: the objection on the table, or the close after the last."""
    if stage < len(scenario.objections):
        return JudgeMoment(stage="objection", prospect_line=prospect_line, objection=scenario.objections[stage])
    return JudgeMoment(stage="closing", prospect_line=prospect_line)


def relevant_patterns(moment: JudgeMoment, patterns: Sequence[Pattern]) -> list[int]:
    """Indexes of the champion's patterns that a reply at ``moment`` is compared with."""
    categories = STAGE_CATEGORIES[moment.stage]
    return [i for i, p in enumerate(patterns) if p.category in categories]


def own_response_index(moment: JudgeMoment, patterns: Sequence[Pattern]) -> int | None:
    """The champion's answer to this very objection in the recording, when there is one."""
    if moment.objection is None:
        return None
    for index, pattern in enumerate(patterns):
        if pattern.category != cat.OBJECTION_RESPONSE:
            continue
        if pattern.responds_to == moment.objection.text or (
            moment.objection.champion_response and pattern.text == moment.objection.champion_response
        ):
            return index
    return None
