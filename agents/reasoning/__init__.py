"""Reasoning engines: pattern extraction, tone, practice scenarios (and, for training, the
prospect and the judge: ``get_coach()``), offline or with Anthropic Claude, behind one interface.

``get_reasoner()`` picks the engine from settings: Claude when ``ANTHROPIC_API_KEY`` is set,
the deterministic offline engine otherwise (DESIGN.md section 4).
"""

from __future__ import annotations

from typing import Any

from agents.reasoning.base import Reasoner, ReasoningOutputError
from agents.reasoning.categories import CATEGORIES, CATEGORY_LABELS
from agents.reasoning.coach import Coach, OfflineCoach, get_coach
from agents.reasoning.judge import WEIGHTS as JUDGE_WEIGHTS
from agents.reasoning.judge import JudgeMoment, judge_reply_offline
from agents.reasoning.offline import OfflineReasoner
from agents.reasoning.prospect import judge_moment, prospect_opening, prospect_reply

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


def _setting(name: str, default: Any) -> Any:
    """A Django setting when Django is configured, else the default (agents run without it)."""
    from django.conf import settings

    return getattr(settings, name, default) if settings.configured else default


def get_reasoner() -> Reasoner:
    """The engine the settings ask for. Cheap: the embedder and the SDK client load lazily or
    hold no connection, so callers may ask for it per task."""
    api_key = _setting("ANTHROPIC_API_KEY", "")
    if api_key:
        # Imported here: the offline path must not need the vendor SDK at import time.
        from agents.reasoning.anthropic_reasoner import AnthropicReasoner

        return AnthropicReasoner(
            api_key=api_key,
            base_url=_setting("ANTHROPIC_BASE_URL", None) or None,
            model=_setting("ANTHROPIC_MODEL", "claude-sonnet-4-5"),
            timeout=float(_setting("VENDOR_TIMEOUT_SECONDS", 60)),
            max_retries=int(_setting("VENDOR_MAX_RETRIES", 2)),
        )
    return OfflineReasoner()
