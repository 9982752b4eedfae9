"""The coach's answers validated and turned into our data; a malformed one raises
:class:`InvalidAnswer`, which asks Claude once more."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agents.reasoning.anthropic_coach.prompts import quoted
from agents.reasoning.anthropic_coach.tools import MAX_FEEDBACK_ITEMS, MAX_LINE_CHARS
from agents.reasoning.anthropic_tools import PROVIDER, InvalidAnswer
from agents.reasoning.judge import WEIGHTS, JudgeMoment, reference_line
from agents.types import ChampionReference, Pattern, ReplyEvaluation

_MAX_FEEDBACK_CHARS = 400


def _score_value(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise InvalidAnswer(f"criterion {name} is not a score from 0 to 100: {value!r}")
    return round(value)


def judge_answer(
    data: dict[str, Any], *, moment: JudgeMoment, patterns: Sequence[Pattern], candidates: Sequence[int]
) -> ReplyEvaluation:
    criteria_in = data.get("criteria")
    if not isinstance(criteria_in, dict):
        raise InvalidAnswer("'criteria' is not an object")
    missing = [name for name in WEIGHTS if name not in criteria_in]
    if missing:
        raise InvalidAnswer(f"criteria missing: {', '.join(missing)}")
    criteria = {name: _score_value(name, criteria_in[name]) for name in WEIGHTS}

    feedback_in = data.get("feedback")
    if not isinstance(feedback_in, list) or not all(isinstance(line, str) for line in feedback_in):
        raise InvalidAnswer("'feedback' is not a list of strings")
    tips = [quoted(line, _MAX_FEEDBACK_CHARS) for line in feedback_in if line.strip()][:MAX_FEEDBACK_ITEMS]
    if not tips:
        raise InvalidAnswer("'feedback' is empty")

    if "reference_index" not in data:
        raise InvalidAnswer("'reference_index' is missing")
    index = data["reference_index"]
    reference: ChampionReference | None = None
    feedback: list[str] = []
    if candidates:
        if isinstance(index, bool) or not isinstance(index, int) or index not in candidates:
            raise InvalidAnswer(f"reference_index {index!r} is not one of the phrases shown")
        pattern = patterns[index]
        reference = ChampionReference(
            text=pattern.text, start=pattern.start, end=pattern.end, category=pattern.category, pattern_index=index
        )
        feedback.append(reference_line(moment, pattern))
    elif index is not None:
        raise InvalidAnswer(f"reference_index {index!r} but no phrase was shown")

    return ReplyEvaluation(
        score=round(sum(WEIGHTS[name] * value for name, value in criteria.items())),
        criteria=criteria,
        weights=dict(WEIGHTS),
        feedback=feedback + tips,
        reference=reference,
        judge=PROVIDER,
    )


_SPEAKER_PREFIX = re.compile(r"^\s*(?:\*\*)?(?:prospect|buyer|customer|you)(?:\*\*)?\s*:\s*", re.IGNORECASE)


def line_answer(data: dict[str, Any]) -> str:
    line = data.get("line")
    if not isinstance(line, str):
        raise InvalidAnswer("'line' is not a string")
    line = _SPEAKER_PREFIX.sub("", " ".join(line.split())).strip().strip('"“”').strip()
    if not line:
        raise InvalidAnswer("'line' is empty")
    if len(line) > MAX_LINE_CHARS:
        raise InvalidAnswer(f"'line' is {len(line)} characters long")
    return line
