"""The few Django settings the engines read, with the defaults they use when Django is not
configured (the engines run without it too, e.g. in a benchmark script)."""

from __future__ import annotations

from typing import Any

# The newest Sonnet the pinned SDK knows that is not on its deprecation list
# (anthropic/_data/deprecated_models.py): claude-sonnet-4-5 reaches end-of-life on 2026-11-30.
DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-5-5"


def setting(name: str, default: Any) -> Any:
    """A Django setting when Django is configured, else ``default``."""
    from django.conf import settings

    return getattr(settings, name, default) if settings.configured else default


def anthropic_client_options() -> dict[str, Any] | None:
    """What the Claude engines need to build their client, or None without an API key (then
    the offline engines run)."""
    api_key = setting("ANTHROPIC_API_KEY", "")
    if not api_key:
        return None
    return {
        "api_key": api_key,
        "base_url": setting("ANTHROPIC_BASE_URL", None) or None,
        "model": setting("ANTHROPIC_MODEL", DEFAULT_ANTHROPIC_MODEL),
        "timeout": float(setting("VENDOR_TIMEOUT_SECONDS", 60)),
        "max_retries": int(setting("VENDOR_MAX_RETRIES", 2)),
    }
