"""The classified utterances merged into the playbook's patterns."""

from __future__ import annotations

import numpy as np

from agents.providers.embeddings import Embedder
from agents.reasoning import categories as cat
from agents.reasoning.extraction.classify import classify_utterances
from agents.reasoning.extraction.dialogue import ClassifiedUtterance
from agents.types import Pattern, Transcript


def patterns_from_classified(items: list[ClassifiedUtterance]) -> list[Pattern]:
    """Merge neighbouring sentences of one turn and one category into one pattern; link each
    response to the objection it answers. Discovery questions stay one per sentence: each is a
    question a rep can reuse on its own."""
    patterns: list[Pattern] = []
    groups: list[list[ClassifiedUtterance]] = []
    for item in items:
        if item.category is None:
            continue
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and previous.category == item.category
            and previous.utterance.turn == item.utterance.turn
            and previous.utterance.index + 1 == item.utterance.index
            and item.category != cat.DISCOVERY_QUESTION
        ):
            groups[-1].append(item)
        else:
            groups.append([item])

    last_objection: Pattern | None = None
    for group in groups:
        first, last = group[0].utterance, group[-1].utterance
        category = group[0].category
        assert category is not None
        pattern = Pattern(
            category=category,
            text=" ".join(item.utterance.text for item in group),
            start=first.start,
            end=last.end,
            speaker=first.speaker,
            confidence=round(float(np.mean([item.confidence for item in group])), 3),
        )
        if category == cat.OBJECTION:
            last_objection = pattern
        elif category == cat.OBJECTION_RESPONSE and last_objection is not None:
            pattern.responds_to = last_objection.text
        patterns.append(pattern)
    return patterns


def extract_patterns_offline(transcript: Transcript, *, embedder: Embedder | None = None) -> list[Pattern]:
    return patterns_from_classified(classify_utterances(transcript, embedder=embedder))
