"""Pattern categories, their prototype sentences and the linguistic cues of the offline engine.

- :mod:`.names`: the category names (``CATEGORIES``) and their human labels
  (``CATEGORY_LABELS``, one mapping for every app that shows a category);
- :mod:`.prototypes`: generic sales-call sentences per category; the offline engine compares
  each utterance with them in embedding space;
- :mod:`.move_cues` and :mod:`.objection_cues`: the rules that embeddings alone get wrong (a
  question is a question whatever its topic; a buyer's "budget" is an objection).

The engines read all of it as ``categories.X``.
"""

from __future__ import annotations

from agents.reasoning.categories.move_cues import (
    ACTION_PROPOSAL,
    AGENDA_CHECK,
    BENEFICIARY_GETS,
    CLOSING_CUE,
    FAREWELL,
    FILLER_ACKNOWLEDGMENT,
    GREETING,
    QUESTION_START,
    RECAP_CUE,
    REFRAME,
    SOCIAL_PROOF,
    VALUE_CUE,
)
from agents.reasoning.categories.names import (
    CATEGORIES,
    CATEGORY_LABELS,
    CHAMPION_CATEGORIES,
    CLOSING,
    DISCOVERY_QUESTION,
    KEY_PHRASE,
    OBJECTION,
    OBJECTION_RESPONSE,
    OPENER,
    VALUE_STATEMENT,
)
from agents.reasoning.categories.objection_cues import (
    AGREEMENT_OPENING,
    APPROVAL,
    CONCERN_ACKNOWLEDGMENT,
    CONDITION_MARKER,
    DESCRIPTIVE_RESISTANCE,
    OBJECTION_TOPIC,
    REQUEST_FORM,
    RESISTANCE_MARKER,
)
from agents.reasoning.categories.prototypes import (
    BUYER_AGREEMENT,
    BUYER_ANSWER,
    BUYER_CONTRASTS,
    BUYER_REQUEST,
    PROTOTYPES,
)

__all__ = [
    "ACTION_PROPOSAL",
    "AGENDA_CHECK",
    "AGREEMENT_OPENING",
    "APPROVAL",
    "BENEFICIARY_GETS",
    "BUYER_AGREEMENT",
    "BUYER_ANSWER",
    "BUYER_CONTRASTS",
    "BUYER_REQUEST",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "CHAMPION_CATEGORIES",
    "CLOSING",
    "CLOSING_CUE",
    "CONCERN_ACKNOWLEDGMENT",
    "CONDITION_MARKER",
    "DESCRIPTIVE_RESISTANCE",
    "DISCOVERY_QUESTION",
    "FAREWELL",
    "FILLER_ACKNOWLEDGMENT",
    "GREETING",
    "KEY_PHRASE",
    "OBJECTION",
    "OBJECTION_RESPONSE",
    "OBJECTION_TOPIC",
    "OPENER",
    "PROTOTYPES",
    "QUESTION_START",
    "RECAP_CUE",
    "REFRAME",
    "REQUEST_FORM",
    "RESISTANCE_MARKER",
    "SOCIAL_PROOF",
    "VALUE_CUE",
    "VALUE_STATEMENT",
]
