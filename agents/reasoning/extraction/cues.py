"""Sentence-level cues the other engines share: a question. (The topic of an objection is
:func:`agents.reasoning.categories.topics.objection_topic_of`, by meaning over the whole line.)"""

from __future__ import annotations

from agents.reasoning import categories as cat


def is_question(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered.endswith("?"):
        return True
    # Speech recognisers sometimes drop the question mark; an interrogative start still tells.
    first_words = " ".join(lowered.split()[:3])
    return bool(cat.QUESTION_START.match(first_words))
