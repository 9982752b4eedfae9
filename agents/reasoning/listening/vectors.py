"""One embedding per text per process: the judge and the prospect read the same reply, the
prospect reads the same objections turn after turn; each is embedded once.

The embedder is deterministic for a given text, so a remembered vector is the vector. Texts the
model reads as the same tokens share one vector too: the judge reads each clause of a reply
again with the buyer's words taken out, rebuilt with a space between tokens ("a day ."), which
is the clause itself when it repeats none of the buyer's words (one model run saved a reply)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Protocol

import numpy as np

from agents.providers.embeddings import EMBEDDING_DIMENSION, get_embedder

# Replies, objections and scenario lines of the sessions in flight, each text in two entries
# (its text, its tokens) sharing one vector: about 2,048 texts, 3 MB of vectors and about 1 kB
# of token key a reply (9 kB for a text of 256 tokens).
MEMO_SIZE = 4096


class TextEmbedder(Protocol):
    """What the prospect needs of an embedder: unit vectors of texts, one row each, in order."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class MemoEmbedder:
    """An :class:`~agents.providers.embeddings.Embedder` that remembers the vectors of the last
    texts it embedded (:data:`MEMO_SIZE` entries); the texts it has not seen go to the model in
    one batch, once per distinct token sequence when the embedder tells its tokens
    (``token_keys``). Thread-safe: the model runs outside the lock."""

    def __init__(self, embedder: TextEmbedder | None = None, *, size: int = MEMO_SIZE) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIMENSION

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        result = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        with self._lock:
            remembered = self._recall(texts)
        missing = [index for index, text in enumerate(texts) if text not in remembered]
        if missing:
            remembered.update(self._embedded(list(dict.fromkeys(texts[index] for index in missing))))
        for index, text in enumerate(texts):
            result[index] = remembered[text]
        return result

    def _recall(self, keys: Sequence[Hashable]) -> dict:
        """The remembered vectors of ``keys`` (those it has), marked as just used. Under the lock."""
        found = {}
        for key in keys:
            vector = self._vectors.get(key)
            if vector is not None:
                self._vectors.move_to_end(key)
                found[key] = vector
        return found

    def _embedded(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of ``texts``, none remembered under its text: through their tokens, from the
        memo or from one run of the model, remembered under both."""
        embedder = self._embedder or get_embedder()
        token_keys = getattr(embedder, "token_keys", None)
        key_of = dict(zip(texts, token_keys(texts) if token_keys else texts, strict=True))
        with self._lock:
            by_key = self._recall(list(key_of.values()))
        to_run: dict[Hashable, str] = {}
        for text, key in key_of.items():
            if key not in by_key:
                to_run.setdefault(key, text)
        if to_run:
            by_key.update(zip(to_run, embedder.embed(list(to_run.values())), strict=True))
        vectors = {text: by_key[key] for text, key in key_of.items()}
        with self._lock:
            self._vectors.update(vectors)
            self._vectors.update((key_of[text], vector) for text, vector in vectors.items())
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return vectors


_shared = MemoEmbedder()


def shared_embedder() -> MemoEmbedder:
    """The process-wide memo over the process-wide embedder (loaded on first use)."""
    return _shared
