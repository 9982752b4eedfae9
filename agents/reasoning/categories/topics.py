"""The topic of a buyer's objection, by best match over the whole line.

Each topic has prototype sentences (generic objections written for this purpose, none taken from
the labelled scripts); a line's topic is the one whose prototypes it is closest to in embedding
space, with the topic cue words of :data:`OBJECTION_TOPIC` found anywhere in the line as extra
evidence. No topic is tried before another: "we already pay for a telematics system, why would we
need another tool" is about the incumbent, although it says "pay".
"""

from __future__ import annotations

import threading
import weakref
from functools import lru_cache

import numpy as np

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning.categories.objection_cues import OBJECTION_TOPIC

TOPICS: tuple[str, ...] = tuple(OBJECTION_TOPIC)

TOPIC_PROTOTYPES: dict[str, tuple[str, ...]] = {
    "price": (
        "That is too expensive for us.",
        "We cannot afford this on our budget.",
        "The price is much higher than we expected.",
        "Your price is a lot higher than what we pay today.",
        "How much would this cost us every month?",
        "We have no money left for this kind of purchase this year.",
        "Our margins are thin, so every extra cost hurts.",
        "Can you give us a discount? It is a lot of money.",
    ),
    "timing": (
        "The timing is bad, we are in our busiest period.",
        "Can we talk again next quarter? Now is not a good moment.",
        "We cannot take on a new project right now.",
        "My team has no time to set this up at the moment.",
        "Let's revisit this after the summer.",
        "I do not want any disruption during our peak season.",
    ),
    "competitor": (
        "We already work with another vendor and we are happy with them.",
        "We already have a system that does this.",
        "Why would we add a second tool on top of the one we have?",
        "Another company offered us something similar for less.",
        "Switching from our current provider would be a lot of work.",
        "Our existing software already covers most of this.",
        "We signed a contract with someone else last year.",
        "We got a cheaper offer from another supplier.",
    ),
    "authority": (
        "I need to run this by my boss before I can commit.",
        "The decision is not mine alone, the board has to approve it.",
        "Our owner signs off on every purchase like this.",
        "I would have to get the partners on board first.",
        "Finance will want to see a business case before anyone agrees.",
        "Let me check with the rest of the management team.",
        "Anything this size has to go through procurement and a formal tender.",
        "I cannot sign anything until the general manager has looked at it.",
    ),
    "need": (
        "Honestly, I do not think we need this.",
        "What we do today works fine for us.",
        "This is not a priority for our business.",
        "I do not see the problem you are trying to solve for us.",
        "We are protected already, so why would we need more?",
        "It sounds like a nice to have, not something we must have.",
        "Our spreadsheet does the job, we do not need software for it.",
        "We manage fine by hand, I do not see why we would change.",
    ),
    "risk": (
        "I am worried my staff will not use it.",
        "We tried something like this before and it failed.",
        "What happens if it does not work for us?",
        "The last supplier promised a lot and did not deliver.",
        "I am afraid the rollout will be painful for the team.",
        "I am not sure the results would be the same for us.",
        "My people are not technical, they will struggle with a new tool.",
        "We have been burned by a vendor before and I do not want that again.",
        "How do I know you will still deliver after the first few months?",
        "My team will push back, nobody likes being monitored.",
        "Our customers will not want to deal with a machine, they want a person.",
        "If our data leaves our hands, we cannot accept it.",
        "Security and privacy are a deal breaker for us.",
    ),
}
# Each cue word found in the line adds this much to its topic's similarity: cues tip a close call
# between two topics, but the line's meaning decides between a clear match and a stray word.
_CUE_BONUS = 0.06
# Below this similarity to every topic (and without a cue), the line has no known topic.
_MIN_SIMILARITY = 0.3

_cache: weakref.WeakKeyDictionary[Embedder, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _prototype_vectors(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """All prototypes' vectors and the index of each row's topic, embedded once per embedder."""
    with _lock:
        cached = _cache.get(embedder)
        if cached is None:
            owners = np.array([i for i, t in enumerate(TOPICS) for _ in TOPIC_PROTOTYPES[t]])
            vectors = embedder.embed([s for t in TOPICS for s in TOPIC_PROTOTYPES[t]])
            cached = (vectors, owners)
            _cache[embedder] = cached
    return cached


def topic_scores(text: str, vector: np.ndarray, embedder: Embedder) -> dict[str, float]:
    """Per topic: the mean of the line's two best similarities to its prototypes, plus the cue
    bonus. ``vector`` is the line's embedding (the caller has usually computed it already)."""
    prototypes, owners = _prototype_vectors(embedder)
    similarities = prototypes @ np.asarray(vector, dtype=np.float32)
    lowered = text.lower()
    scores: dict[str, float] = {}
    for index, topic in enumerate(TOPICS):
        best_two = np.sort(similarities[owners == index])[::-1][:2]
        cues = len(OBJECTION_TOPIC[topic].findall(lowered))
        scores[topic] = float(best_two.mean()) + _CUE_BONUS * min(cues, 2)
    return scores


def objection_topic_of(text: str, *, embedder: Embedder | None = None, vector: np.ndarray | None = None) -> str | None:
    """The topic of the objection ``text`` (one of :data:`TOPICS`), or None for a line close to
    none of them. Deterministic: the same line always gets the same topic."""
    if not text.strip():
        return None
    if embedder is None and vector is None:
        return _topic_with_the_shared_embedder(text)
    embedder = embedder or get_embedder()
    if vector is None:
        vector = embedder.embed([text])[0]
    return _best_topic(text, vector, embedder)


@lru_cache(maxsize=2048)
def _topic_with_the_shared_embedder(text: str) -> str | None:
    # A scenario's few objection lines come back on every reply of a session (the judge's quote
    # names the topic): embedded once per process.
    embedder = get_embedder()
    return _best_topic(text, embedder.embed([text])[0], embedder)


def _best_topic(text: str, vector: np.ndarray, embedder: Embedder) -> str | None:
    scores = topic_scores(text, vector, embedder)
    topic = max(TOPICS, key=lambda t: (scores[t], -TOPICS.index(t)))
    has_cue = any(OBJECTION_TOPIC[t].search(text.lower()) for t in TOPICS)
    return topic if scores[topic] >= _MIN_SIMILARITY or has_cue else None
