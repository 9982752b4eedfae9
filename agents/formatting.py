"""How the engines write values for people (and for the prompts that quote them)."""

from __future__ import annotations


def mmss(seconds: float) -> str:
    """A time in the recording as minutes and seconds, ``"02:05"``."""
    return f"{int(seconds // 60):02d}:{int(seconds % 60):02d}"
