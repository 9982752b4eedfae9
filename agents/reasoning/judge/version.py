"""Which judge produced an evaluation, and which version of it: stored with every evaluation
so that staff can compare judges and versions (the admin's scoring-health page) and know
which one a disputed score came from.

Bump ``OFFLINE_JUDGE_VERSION`` whenever the offline judge's scores change for the same reply
in the same moment. The Claude judge's version is ``ANTHROPIC_JUDGE_VERSION`` (its prompt and
tools) with the model it asked, known only at run time.
"""

from __future__ import annotations

OFFLINE_JUDGE_VERSION = "4"
ANTHROPIC_JUDGE_VERSION = "1"


def judge_version(judge: str, model: str | None = None) -> str:
    """The version of ``judge`` ("offline" or "anthropic"); ``model``: the Claude model asked."""
    if judge == "offline":
        return OFFLINE_JUDGE_VERSION
    return f"{ANTHROPIC_JUDGE_VERSION}:{model}" if model else ANTHROPIC_JUDGE_VERSION
