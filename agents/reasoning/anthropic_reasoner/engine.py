"""The Anthropic reasoner itself: its prompts, and the calls that ask Claude for the patterns
and the scenarios."""

from __future__ import annotations

from typing import Any

from agents.formatting import mmss
from agents.reasoning import categories as cat
from agents.reasoning.anthropic_reasoner.answers import patterns_from_answer, scenarios_from_answer
from agents.reasoning.anthropic_reasoner.tools import PATTERNS_TOOL, SCENARIOS_TOOL
from agents.reasoning.anthropic_tools import ClaudeEngine
from agents.reasoning.scenarios import recording_objections
from agents.reasoning.segmentation import Utterance, utterances_from_transcript
from agents.reasoning.tone import describe_tone
from agents.types import CallMetrics, Pattern, ScenarioSpec, Transcript, VoiceProfile

_MAX_TOKENS = 4096


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
            return patterns_from_answer(data, utterances)

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
            return scenarios_from_answer(data, objections)

        return self._structured(
            system=_SCENARIOS_SYSTEM, prompt=prompt, tool=SCENARIOS_TOOL, max_tokens=_MAX_TOKENS, parse=parse
        )
