"""Reasoning engines: pattern extraction, tone, practice scenarios (and, for training, the
prospect and the judge: ``get_coach()``), offline or with Anthropic Claude, behind one interface.

``get_reasoner()`` picks the engine from settings: Claude when ``ANTHROPIC_API_KEY`` is set,
the deterministic offline engine otherwise (README.md, the engines table under "The champion
pipeline").
"""

from __future__ import annotations

from agents.reasoning.base import Reasoner, ReasoningOutputError
from agents.reasoning.categories import CATEGORIES, CATEGORY_LABELS
from agents.reasoning.coach import Coach, OfflineCoach, get_coach
from agents.reasoning.judge import WEIGHTS as JUDGE_WEIGHTS
from agents.reasoning.judge import JudgeMoment, judge_moment, judge_reply_offline
from agents.reasoning.offline import OfflineReasoner
from agents.reasoning.prospect import prospect_opening, prospect_reply
from agents.settings import anthropic_client_options

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "Coach",
    "JUDGE_WEIGHTS",
    "JudgeMoment",
    "OfflineCoach",
    "OfflineReasoner",
    "Reasoner",
    "ReasoningOutputError",
    "get_coach",
    "get_reasoner",
    "judge_moment",
    "judge_reply_offline",
    "prospect_opening",
    "prospect_reply",
]


def get_reasoner() -> Reasoner:
    """The engine the settings ask for. Cheap: the embedder and the SDK client load lazily or
    hold no connection, so callers may ask for it per task."""
    options = anthropic_client_options()
    if options:
        # Imported here: the offline path must not need the vendor SDK at import time.
        from agents.reasoning.anthropic_reasoner import AnthropicReasoner

        return AnthropicReasoner(**options)
    return OfflineReasoner()
