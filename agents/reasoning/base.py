"""The reasoning interface shared by the offline engine and the Anthropic one.

The champion pipeline calls ``extract_patterns``, ``describe_tone`` and ``generate_scenarios``;
training's prospect and judge are the other half of the engines (``agents.reasoning.coach``).
Plain data in and out (``agents.types``): the apps that own the data store it.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from agents.providers.errors import PermanentProviderError
from agents.types import CallMetrics, Pattern, ScenarioSpec, Transcript, VoiceProfile


class ReasoningOutputError(PermanentProviderError):
    """The engine's answer did not have the required shape, even after one retry."""


@runtime_checkable
class Reasoner(Protocol):
    #: "offline" or "anthropic": stored with the results so that a reader knows which engine
    #: produced them.
    name: str

    def extract_patterns(self, transcript: Transcript) -> list[Pattern]:
        """The champion's moves and the buyer's objections, located in the recording, in time
        order. Every pattern's start and end come from the transcript's word timings."""
        ...

    def describe_tone(self, metrics: CallMetrics, voice: VoiceProfile) -> dict[str, Any]:
        """Pace, energy, style words and a one-line summary of how the champion sounds."""
        ...

    def generate_scenarios(
        self, patterns: list[Pattern], transcript: Transcript, metrics: CallMetrics
    ) -> list[ScenarioSpec]:
        """Practice scenarios whose objections are the recording's objections, in order, each
        with the champion's answer attached; one or more per difficulty."""
        ...
