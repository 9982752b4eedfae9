"""The Anthropic reasoning engine: Claude through the ``anthropic`` SDK, structured output by tool use.

Claude never invents timestamps or objections: it is shown the transcript's utterances numbered,
with their speaker and time, and answers with utterance numbers (patterns) or objection numbers
(scenarios). We build the patterns' text, start and end from our own words, and the scenarios'
objections from the recording's, so both engines produce data with the same guarantees.

Every call is forced through one tool (``tool_choice``) whose JSON schema describes the answer.
No ``temperature``: the SDK 2.x speaks API version 2026-10-21, which rejects every sampling
parameter (even ``temperature: 0``) with a 400, and does not offer the argument; the forced tool
schema and the validation of the answers are what keep them in shape. The SDK retries
408/409/429/5xx and connection errors with backoff (``max_retries``) under a per-request
``timeout``; what still fails is mapped to the providers' error classes, which the pipeline
retries (transient) or reports (permanent). An answer that does not validate is asked for once
more, then raises :class:`~agents.reasoning.base.ReasoningOutputError`.

The tools are in :mod:`.tools`, the validation of the answers in :mod:`.answers`, the prompts and
the engine in :mod:`.engine`.
"""

from __future__ import annotations

from agents.reasoning.anthropic_reasoner.engine import AnthropicReasoner
from agents.reasoning.anthropic_reasoner.tools import DIFFICULTIES, PATTERNS_TOOL, SCENARIOS_TOOL

__all__ = ["DIFFICULTIES", "PATTERNS_TOOL", "SCENARIOS_TOOL", "AnthropicReasoner"]
