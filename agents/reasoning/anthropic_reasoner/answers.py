"""Claude's answers validated and built into our data from the transcript's own words and the
recording's own objections; a malformed one raises :class:`InvalidAnswer`, which asks again."""

from __future__ import annotations

import json
from typing import Any

from agents.reasoning import categories as cat
from agents.reasoning.anthropic_reasoner.tools import DIFFICULTIES
from agents.reasoning.anthropic_tools import InvalidAnswer
from agents.reasoning.segmentation import Utterance
from agents.types import Objection, Pattern, ScenarioSpec


def patterns_from_answer(data: dict[str, Any], utterances: list[Utterance]) -> list[Pattern]:
    items = data.get("patterns")
    if not isinstance(items, list):
        raise InvalidAnswer("'patterns' is not a list")
    patterns: list[tuple[int, Pattern, int | None]] = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidAnswer("a pattern is not an object")
        numbers = item.get("utterances")
        category = item.get("category")
        confidence = item.get("confidence", 1.0)
        responds_to = item.get("responds_to")
        if (
            not isinstance(numbers, list)
            or not numbers
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
        ):
            raise InvalidAnswer(f"bad utterance numbers: {numbers!r}")
        if any(n < 0 or n >= len(utterances) for n in numbers):
            raise InvalidAnswer(f"utterance number out of range: {numbers!r}")
        if category not in cat.CATEGORIES:
            raise InvalidAnswer(f"unknown category {category!r}")
        if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
            raise InvalidAnswer(f"bad confidence {confidence!r}")
        if responds_to is not None and (not isinstance(responds_to, int) or not 0 <= responds_to < len(utterances)):
            raise InvalidAnswer(f"bad responds_to {responds_to!r}")
        chosen = [utterances[n] for n in sorted(set(numbers))]
        pattern = Pattern(
            category=category,
            text=" ".join(u.text for u in chosen),
            start=chosen[0].start,
            end=chosen[-1].end,
            speaker=chosen[0].speaker,
            confidence=round(float(confidence), 3),
        )
        patterns.append((chosen[0].index, pattern, responds_to))

    patterns.sort(key=lambda entry: entry[0])
    by_first_utterance = {first: pattern for first, pattern, _ in patterns}
    result: list[Pattern] = []
    last_objection: Pattern | None = None
    for _first, pattern, responds_to in patterns:
        if pattern.category == cat.OBJECTION:
            last_objection = pattern
        elif pattern.category == cat.OBJECTION_RESPONSE:
            target = by_first_utterance.get(responds_to) if responds_to is not None else None
            target = target if target is not None and target.category == cat.OBJECTION else last_objection
            pattern.responds_to = target.text if target is not None else None
        result.append(pattern)
    return result


def scenarios_from_answer(data: dict[str, Any], objections: list[Objection]) -> list[ScenarioSpec]:
    items = data.get("scenarios")
    if not isinstance(items, list) or not items:
        raise InvalidAnswer("'scenarios' is not a non-empty list")
    scenarios: list[ScenarioSpec] = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidAnswer("a scenario is not an object")
        texts = {key: item.get(key) for key in ("title", "persona", "context", "goal")}
        for key, value in texts.items():
            if not isinstance(value, str) or not value.strip():
                raise InvalidAnswer(f"scenario {key} is missing or empty")
        difficulty = item.get("difficulty")
        if difficulty not in DIFFICULTIES:
            raise InvalidAnswer(f"unknown difficulty {difficulty!r}")
        numbers = item.get("objection_numbers")
        if not isinstance(numbers, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < len(objections) for n in numbers
        ):
            raise InvalidAnswer(f"bad objection numbers {json.dumps(numbers)}")
        # Call order whatever order the model listed them in: the prospect follows the call.
        chosen = [objections[n] for n in sorted(set(numbers))]
        scenarios.append(
            ScenarioSpec(
                title=texts["title"].strip(),
                persona=texts["persona"].strip(),
                context=texts["context"].strip(),
                goal=texts["goal"].strip(),
                objections=[Objection(o.text, o.champion_response, o.start) for o in chosen],
                difficulty=difficulty,
            )
        )
    return scenarios
