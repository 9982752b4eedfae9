"""The sales-pattern categories: their names and their labels."""

from __future__ import annotations

OPENER = "opener"
DISCOVERY_QUESTION = "discovery_question"
OBJECTION = "objection"
OBJECTION_RESPONSE = "objection_response"
VALUE_STATEMENT = "value_statement"
CLOSING = "closing"
KEY_PHRASE = "key_phrase"

CATEGORIES: tuple[str, ...] = (
    OPENER,
    DISCOVERY_QUESTION,
    OBJECTION,
    OBJECTION_RESPONSE,
    VALUE_STATEMENT,
    CLOSING,
    KEY_PHRASE,
)
# Moves of the champion; an objection is the buyer's.
CHAMPION_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != OBJECTION)

# How each category reads inside a sentence ("the champion's objection handling"), for the
# prompts and for every app that shows a category: the one name-to-label mapping.
CATEGORY_LABELS: dict[str, str] = {
    OPENER: "opening",
    DISCOVERY_QUESTION: "discovery question",
    OBJECTION: "objection",
    OBJECTION_RESPONSE: "objection handling",
    VALUE_STATEMENT: "value statement",
    CLOSING: "closing",
    KEY_PHRASE: "key phrase",
}
