"""The offline reasoning engine: deterministic, local, no network (README.md, the engines table
under "The champion pipeline")."""

from __future__ import annotations

from typing import Any

from agents.providers.embeddings import Embedder
from agents.reasoning.extraction import extract_patterns_offline
from agents.reasoning.scenarios import generate_scenarios_offline
from agents.reasoning.tone import describe_tone
from agents.types import CallMetrics, Pattern, ScenarioSpec, Transcript, VoiceProfile


class OfflineReasoner:
    name = "offline"

    def __init__(self, *, embedder: Embedder | None = None) -> None:
        # None: the process-wide embedder, loaded on first use.
        self._embedder = embedder

    def extract_patterns(self, transcript: Transcript) -> list[Pattern]:
        return extract_patterns_offline(transcript, embedder=self._embedder)

    def describe_tone(self, metrics: CallMetrics, voice: VoiceProfile) -> dict[str, Any]:
        return describe_tone(metrics, voice)

    def generate_scenarios(
        self, patterns: list[Pattern], transcript: Transcript, metrics: CallMetrics
    ) -> list[ScenarioSpec]:
        return generate_scenarios_offline(patterns, transcript, metrics)
