"""Test inputs of the prospect: a labelled call's hard scenario with the buyer's lines of the
call, and evaluations of a chosen score (the prospect's tests drive its state machine with
them, whatever the judge of the day would score)."""

from __future__ import annotations

import functools
from typing import Any

from agents.providers.embeddings import get_embedder
from agents.reasoning.judge import WEIGHTS
from agents.reasoning.listening.buyer_turns import BuyerTurns, buyer_turns_from_transcript
from agents.scripts import load_script, transcript_from_script
from agents.testing.fixtures import hard_scenario_and_patterns
from agents.testing.wire import Reply
from agents.types import ReplyEvaluation, ScenarioSpec


@functools.cache
def scenario_and_buyer_turns(script_name: str) -> tuple[ScenarioSpec, BuyerTurns]:
    """The hard scenario of a labelled call (every objection, in call order) and the buyer's
    lines of that call with their embeddings, as a session gets them."""
    scenario, _ = hard_scenario_and_patterns(script_name)
    transcript = transcript_from_script(load_script(script_name))
    return scenario, buyer_turns_from_transcript(transcript, embedder=get_embedder())


def scored(score: int) -> ReplyEvaluation:
    """An evaluation with this total."""
    return ReplyEvaluation(
        score=score,
        criteria=dict.fromkeys(WEIGHTS, score),
        weights=dict(WEIGHTS),
        feedback=[],
        reference=None,
        judge="offline",
    )


def claude_tool_reply(name: str, tool_input: Any) -> Reply:
    """A Messages API response whose content is one call of the tool ``name``, shaped like the
    real API's, for a local server speaking Anthropic's protocol."""
    return Reply.json(
        {
            "id": "msg_01LocalProspect",
            "type": "message",
            "role": "assistant",
            "model": "claude-test-model",
            "content": [{"type": "tool_use", "id": "toolu_01LocalProspect", "name": name, "input": tool_input}],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 640, "output_tokens": 120},
        }
    )
