"""How the cue lists are written: whole words and phrases, matched on the lower-cased utterance."""

from __future__ import annotations

import re


def phrase_pattern(*phrases: str) -> re.Pattern[str]:
    """A regex matching any of ``phrases`` as whole words (each may hold regex syntax)."""
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
