"""The reasoner's tools: the JSON schemas Claude's patterns and scenarios are forced through."""

from __future__ import annotations

from typing import Any

from agents.reasoning import categories as cat

DIFFICULTIES = ("easy", "medium", "hard")


PATTERNS_TOOL: dict[str, Any] = {
    "name": "record_patterns",
    "description": "Record the sales patterns found in the numbered utterances of the call.",
    "input_schema": {
        "type": "object",
        "properties": {
            "patterns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "utterances": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0},
                            "minItems": 1,
                            "description": "Consecutive utterance numbers forming this pattern.",
                        },
                        "category": {"type": "string", "enum": list(cat.CATEGORIES)},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "responds_to": {
                            "type": ["integer", "null"],
                            "description": "For objection_response: the first utterance "
                            "number of the objection it answers.",
                        },
                    },
                    "required": ["utterances", "category", "confidence"],
                },
            }
        },
        "required": ["patterns"],
    },
}

SCENARIOS_TOOL: dict[str, Any] = {
    "name": "record_scenarios",
    "description": "Record practice scenarios built from the call's objections.",
    "input_schema": {
        "type": "object",
        "properties": {
            "scenarios": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "persona": {"type": "string"},
                        "context": {"type": "string"},
                        "goal": {"type": "string"},
                        "difficulty": {"type": "string", "enum": list(DIFFICULTIES)},
                        "objection_numbers": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0},
                            "description": "Numbers of the call's objections, in call order.",
                        },
                    },
                    "required": ["title", "persona", "context", "goal", "difficulty", "objection_numbers"],
                },
            }
        },
        "required": ["scenarios"],
    },
}
