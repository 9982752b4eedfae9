"""The Anthropic reasoning engine: Claude through the ``anthropic`` SDK, structured output by tool use.

Claude never invents timestamps or objections: it is shown the transcript's utterances numbered,
with their speaker and time, and answers with utterance numbers (patterns) or objection numbers
(scenarios). We build the patterns' text, start and end from our own words, and the scenarios'
objections from the recording's, so both engines produce data with the same guarantees.

Every call is forced through one tool (``tool_choice``) whose JSON schema describes the answer.
No ``temperature``: the SDK 2.x speaks API version 2026-10-21, which rejects every sampling
parameter (even ``temperature: 0``) with a 400, and does not offer the argument; the forced tool
schema and the validation below are what keep the answers in shape. The SDK retries 408/409/429/5xx and connection errors with backoff
(``max_retries``) under a per-request ``timeout``; what still fails is mapped to the providers'
error classes, which the pipeline retries (transient) or reports (permanent). An answer that does
not validate is asked for once more, then raises :class:`ReasoningOutputError`.
"""

from __future__ import annotations

import json
from typing import Any

from agents.formatting import mmss
from agents.reasoning import categories as cat
from agents.reasoning.anthropic_tools import ClaudeEngine, InvalidAnswer
from agents.reasoning.scenarios import recording_objections
from agents.reasoning.segmentation import Utterance, utterances_from_transcript
from agents.reasoning.tone import describe_tone
from agents.types import CallMetrics, Objection, Pattern, ScenarioSpec, Transcript, VoiceProfile

DIFFICULTIES = ("easy", "medium", "hard")
_MAX_TOKENS = 4096


PATTERNS_TOOL: dict[str, Any] = {
    "name": "record_patterns",
    "description": "Record the sales patterns found in the numbered utterances of the call.",
    "input_schema": {
        "type": "object",
        "properties": {
            "patterns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "utterances": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0},
                            "minItems": 1,
                            "description": "Consecutive utterance numbers forming this pattern.",
                        },
                        "category": {"type": "string", "enum": list(cat.CATEGORIES)},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "responds_to": {
                            "type": ["integer", "null"],
                            "description": "For objection_response: the first utterance "
                            "number of the objection it answers.",
                        },
                    },
                    "required": ["utterances", "category", "confidence"],
                },
            }
        },
        "required": ["patterns"],
    },
}

SCENARIOS_TOOL: dict[str, Any] = {
    "name": "record_scenarios",
    "description": "Record practice scenarios built from the call's objections.",
    "input_schema": {
        "type": "object",
        "properties": {
            "scenarios": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "persona": {"type": "string"},
                        "context": {"type": "string"},
                        "goal": {"type": "string"},
                        "difficulty": {"type": "string", "enum": list(DIFFICULTIES)},
                        "objection_numbers": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0},
                            "description": "Numbers of the call's objections, in call order.",
                        },
                    },
                    "required": ["title", "persona", "context", "goal", "difficulty", "objection_numbers"],
                },
            }
        },
        "required": ["scenarios"],
    },
}

_PATTERNS_SYSTEM = (
    "You analyse recorded sales calls for a sales-training product. The champion is the "
    "seller; 'other' is the buyer. Categories: opener (the champion's greeting and framing), "
    "discovery_question (the champion's questions about the buyer's situation), objection (the "
    "buyer's concern or resistance), objection_response (the champion's answer to an objection), "
    "value_statement (what the offer does for the buyer), closing (proposing or confirming a "
    "next step), key_phrase (a recap or reframe worth reusing). Leave small talk and the "
    "buyer's plain answers out. Use only the utterance numbers given."
)
_SCENARIOS_SYSTEM = (
    "You design role-play practice scenarios for sales reps from a champion's real call. The "
    "prospect will raise the call's real objections, so refer to them by number, in call order. "
    "Write one scenario per difficulty (easy: fewest objections and a cooperative buyer; hard: "
    "all objections and a skeptical buyer). Persona, context and goal must come from the call."
)


def _format_utterances(utterances: list[Utterance]) -> str:
    return "\n".join(f"[{u.index}] ({u.speaker or 'unknown'}, {mmss(u.start)}) {u.text}" for u in utterances)


class AnthropicReasoner(ClaudeEngine):
    """The :class:`~agents.reasoning.base.Reasoner` that asks Claude."""

    def extract_patterns(self, transcript: Transcript) -> list[Pattern]:
        utterances = utterances_from_transcript(transcript)
        if not utterances:
            return []
        prompt = (
            "Find the sales patterns in this call. Each line is [number] (speaker, mm:ss) text.\n\n"
            + _format_utterances(utterances)
        )

        def parse(data: dict[str, Any]) -> list[Pattern]:
            return _patterns_from_answer(data, utterances)

        return self._structured(
            system=_PATTERNS_SYSTEM, prompt=prompt, tool=PATTERNS_TOOL, max_tokens=_MAX_TOKENS, parse=parse
        )

    def describe_tone(self, metrics: CallMetrics, voice: VoiceProfile) -> dict[str, Any]:
        # Thresholds on measured numbers: a model call would add cost and nothing else.
        return describe_tone(metrics, voice)

    def generate_scenarios(
        self, patterns: list[Pattern], transcript: Transcript, metrics: CallMetrics
    ) -> list[ScenarioSpec]:
        objections = recording_objections(patterns)
        objection_lines = (
            "\n".join(
                f"[{i}] ({mmss(o.start or 0.0)}) {o.text}"
                + (f"\n    champion's answer: {o.champion_response}" if o.champion_response else "")
                for i, o in enumerate(objections)
            )
            or "(the buyer raised no objection)"
        )
        playbook = "\n".join(
            f"- {p.category} ({mmss(p.start)}): {p.text}"
            for p in patterns
            if p.category not in (cat.OBJECTION, cat.OBJECTION_RESPONSE)
        )
        prompt = (
            f"Call transcript:\n{transcript.text}\n\nChampion's moves:\n{playbook}\n\n"
            f"Objections, numbered:\n{objection_lines}\n\n"
            f"Call metrics: {metrics.duration_seconds:.0f} s, {metrics.question_count} questions, "
            f"{metrics.words_per_minute:.0f} words per minute."
        )

        def parse(data: dict[str, Any]) -> list[ScenarioSpec]:
            return _scenarios_from_answer(data, objections)

        return self._structured(
            system=_SCENARIOS_SYSTEM, prompt=prompt, tool=SCENARIOS_TOOL, max_tokens=_MAX_TOKENS, parse=parse
        )


def _patterns_from_answer(data: dict[str, Any], utterances: list[Utterance]) -> list[Pattern]:
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


def _scenarios_from_answer(data: dict[str, Any], objections: list[Objection]) -> list[ScenarioSpec]:
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
