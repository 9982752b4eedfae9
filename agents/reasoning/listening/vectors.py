"""One embedding per text per process: the judge and the prospect read the same reply, the
prospect reads the same objections turn after turn; each is embedded once.

The embedder is deterministic for a given text, so a remembered vector is the vector."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from agents.providers.embeddings import EMBEDDING_DIMENSION, get_embedder

# Replies, objections and scenario lines of the sessions in flight: 1.5 kB a vector.
MEMO_SIZE = 2048


class TextEmbedder(Protocol):
    """What the prospect needs of an embedder: unit vectors of texts, one row each, in order."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class MemoEmbedder:
    """An :class:`~agents.providers.embeddings.Embedder` that remembers the vectors of the last
    :data:`MEMO_SIZE` texts it embedded; the texts it has not seen go to the model in one batch.
    Thread-safe: the model runs outside the lock."""

    def __init__(self, embedder: TextEmbedder | None = None, *, size: int = MEMO_SIZE) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIMENSION

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        result = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for index, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.append(index)
                else:
                    self._vectors.move_to_end(text)
                    result[index] = vector
        if missing:
            unique = list(dict.fromkeys(texts[index] for index in missing))
            fresh = dict(zip(unique, (self._embedder or get_embedder()).embed(unique), strict=True))
            with self._lock:
                for text, vector in fresh.items():
                    self._vectors[text] = vector
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
            for index in missing:
                result[index] = fresh[texts[index]]
        return result


_shared = MemoEmbedder()


def shared_embedder() -> MemoEmbedder:
    """The process-wide memo over the process-wide embedder (loaded on first use)."""
    return _shared
