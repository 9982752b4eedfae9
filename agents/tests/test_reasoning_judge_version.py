"""The judge's version stored with each evaluation."""

from __future__ import annotations

from agents.reasoning.judge.version import (
    ANTHROPIC_JUDGE_VERSION,
    OFFLINE_JUDGE_VERSION,
    judge_version,
)


def test_the_offline_judge_has_its_own_version_whatever_the_model():
    assert judge_version("offline") == judge_version("offline", "claude-sonnet-4-5") == OFFLINE_JUDGE_VERSION


def test_the_claude_judge_version_names_the_model_asked():
    assert judge_version("anthropic", "claude-sonnet-4-5") == f"{ANTHROPIC_JUDGE_VERSION}:claude-sonnet-4-5"
    assert judge_version("anthropic") == ANTHROPIC_JUDGE_VERSION
