"""Each utterance's embedding similarity to every category's prototype sentences."""

from __future__ import annotations

import threading
import weakref

import numpy as np

from agents.providers.embeddings import Embedder
from agents.reasoning import categories as cat

_prototype_cache: weakref.WeakKeyDictionary[Embedder, tuple[np.ndarray, list[str]]] = weakref.WeakKeyDictionary()
_prototype_lock = threading.Lock()


def _prototype_vectors(embedder: Embedder) -> tuple[np.ndarray, list[str]]:
    """Vectors of all prototypes and the category of each row, embedded once per embedder."""
    with _prototype_lock:
        cached = _prototype_cache.get(embedder)
        if cached is None:
            owners = [c for c in cat.PROTOTYPES for _ in cat.PROTOTYPES[c]]
            sentences = [s for c in cat.PROTOTYPES for s in cat.PROTOTYPES[c]]
            cached = (embedder.embed(sentences), owners)
            _prototype_cache[embedder] = cached
    return cached


def category_similarities(embedder: Embedder, texts: list[str]) -> list[dict[str, float]]:
    """Per text, per prototype class: the mean of the two best cosine similarities to its
    prototypes (the best alone lets one lucky prototype decide; the mean of all dilutes real
    matches)."""
    if not texts:
        return []
    prototypes, owners = _prototype_vectors(embedder)
    similarities = embedder.embed(texts) @ prototypes.T
    owner_array = np.array(owners)
    result: list[dict[str, float]] = []
    for row in similarities:
        scores: dict[str, float] = {}
        for category in cat.PROTOTYPES:
            values = np.sort(row[owner_array == category])[::-1][:2]
            scores[category] = float(values.mean())
        result.append(scores)
    return result
