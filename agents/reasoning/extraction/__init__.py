"""Offline pattern extraction: linguistic rules plus similarity to category prototypes.

Every utterance (sentence) gets a score per category (:mod:`.scores`): rule evidence (question
form, objection topics, position in the call, recap and value wording, closing vocabulary) plus
its embedding similarity to that category's prototype sentences (:mod:`.similarity`). The
highest score wins, against a "none" score that plain answers and small talk reach
(:mod:`.classify`). The dialogue structure then does what a sentence alone cannot
(:mod:`.dialogue`): the champion's turn right after a buyer objection is the response to it.
Neighbouring sentences of one move become one pattern (:mod:`.patterns`).

Nothing here is random and the embedder is deterministic, so the same transcript always gives the
same playbook. Measured accuracy on the labelled scripts: ``agents.reasoning.evaluation``.
"""

from __future__ import annotations

from agents.reasoning.extraction.classify import (
    COMPANY_INTRO,
    OPENING_MAX_FRACTION,
    OPENING_MAX_SECONDS,
    classify_utterances,
    company_names_from_opening,
)
from agents.reasoning.extraction.cues import is_question
from agents.reasoning.extraction.dialogue import (
    MAX_RESPONSE_UTTERANCES,
    REVEALED_OBJECTION_SCORE,
    ClassifiedUtterance,
)
from agents.reasoning.extraction.patterns import extract_patterns_offline, patterns_from_classified
from agents.reasoning.extraction.scores import NONE_SCORE, SIMILARITY_WEIGHT, SOFTMAX_TEMPERATURE
from agents.reasoning.extraction.similarity import category_similarities

__all__ = [
    "COMPANY_INTRO",
    "MAX_RESPONSE_UTTERANCES",
    "NONE_SCORE",
    "OPENING_MAX_FRACTION",
    "OPENING_MAX_SECONDS",
    "REVEALED_OBJECTION_SCORE",
    "SIMILARITY_WEIGHT",
    "SOFTMAX_TEMPERATURE",
    "ClassifiedUtterance",
    "category_similarities",
    "classify_utterances",
    "company_names_from_opening",
    "extract_patterns_offline",
    "is_question",
    "patterns_from_classified",
]
