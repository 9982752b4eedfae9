"""The coach's tools: the JSON schemas Claude's answers are forced through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.reasoning.anthropic_coach.prompts import CRITERIA_DESCRIPTIONS
from agents.reasoning.judge import WEIGHTS

MAX_LINE_CHARS = 600  # a spoken turn; longer is a monologue, not a buyer's line
MAX_FEEDBACK_ITEMS = 4


def judge_tool(candidates: Sequence[int]) -> dict[str, Any]:
    """The judge's answer schema; the reference must be one of the ``candidates`` shown."""
    reference: dict[str, Any] = (
        {"type": "integer", "enum": list(candidates), "description": "Number of the champion phrase to learn from."}
        if candidates
        else {"type": "null", "description": "No champion phrase for this moment."}
    )
    return {
        "name": "score_reply",
        "description": "Record the rep's scores per criterion, concrete feedback and the champion phrase "
        "to compare the reply with.",
        "input_schema": {
            "type": "object",
            "properties": {
                "criteria": {
                    "type": "object",
                    "properties": {
                        name: {"type": "integer", "minimum": 0, "maximum": 100, "description": description}
                        for name, description in CRITERIA_DESCRIPTIONS.items()
                    },
                    "required": list(WEIGHTS),
                    "additionalProperties": False,
                },
                "feedback": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "minItems": 1,
                    "maxItems": MAX_FEEDBACK_ITEMS,
                },
                "reference_index": reference,
            },
            "required": ["criteria", "feedback", "reference_index"],
        },
    }


OPENING_TOOL: dict[str, Any] = {
    "name": "open_call",
    "description": "Say the buyer's first line of the call.",
    "input_schema": {
        "type": "object",
        "properties": {
            "line": {"type": "string", "minLength": 1, "maxLength": MAX_LINE_CHARS, "description": "What you say."}
        },
        "required": ["line"],
    },
}
PROSPECT_TOOL: dict[str, Any] = {
    "name": "prospect_says",
    "description": "Say the buyer's next line.",
    "input_schema": {
        "type": "object",
        "properties": {
            "objection_handled": {
                "type": "boolean",
                "description": "In your eyes as the buyer, did the rep's last reply settle what was on the "
                "table (your concern, or at the close a clear next step)?",
            },
            "line": {"type": "string", "minLength": 1, "maxLength": MAX_LINE_CHARS, "description": "What you say."},
        },
        "required": ["objection_handled", "line"],
    },
}
