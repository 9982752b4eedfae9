"""Sentence-level cues the other engines share: a question, the topic of an objection."""

from __future__ import annotations

from agents.reasoning import categories as cat


def is_question(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered.endswith("?"):
        return True
    # Speech recognisers sometimes drop the question mark; an interrogative start still tells.
    first_words = " ".join(lowered.split()[:3])
    return bool(cat.QUESTION_START.match(first_words))


def objection_topic(text: str) -> str | None:
    lowered = text.lower()
    for topic, pattern in cat.OBJECTION_TOPIC.items():
        if pattern.search(lowered):
            return topic
    return None
