"""The local embedding model: shape, normalisation, determinism, meaning, integrity checks."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from agents.providers import embeddings
from agents.providers.embeddings import EMBEDDING_DIMENSION, Embedder, EmbeddingModelError, embed, get_embedder
from agents.providers.errors import PermanentProviderError


def test_embed_returns_one_unit_float32_vector_per_text():
    vectors = embed(["How many people are on your team?", "The price is too high.", "Hello"])

    assert vectors.shape == (3, EMBEDDING_DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embed_of_no_text_is_an_empty_matrix():
    assert embed([]).shape == (0, EMBEDDING_DIMENSION)


def test_embed_is_deterministic_and_independent_of_the_batch():
    texts = ["We already work with another vendor.", "Can we book a demo next Tuesday?"] * 3
    first = embed(texts)
    again = embed(texts)
    alone = np.stack([embed([text])[0] for text in texts[:2]])

    assert np.array_equal(first, again)
    np.testing.assert_allclose(first[:2], alone, atol=1e-5)
    # Batches are sorted by length inside embed(); the output keeps the caller's order.
    np.testing.assert_allclose(first[0], first[2], atol=1e-6)


def test_similar_sentences_are_closer_than_unrelated_ones():
    price, cost, weather, schedule = embed(
        [
            "Your product is too expensive for our budget.",
            "The price is higher than we can afford.",
            "It was sunny and warm at the beach yesterday.",
            "Can we schedule a follow-up meeting next week?",
        ]
    )
    assert price @ cost > price @ weather + 0.2
    assert price @ cost > price @ schedule
    assert schedule @ cost < price @ cost


def test_get_embedder_is_one_instance_built_once_under_concurrency(monkeypatch):
    constructions = []

    class SlowEmbedder(Embedder):
        def __init__(self) -> None:
            constructions.append(threading.get_ident())
            time.sleep(0.05)  # widen the window in which a second thread could also build one
            super().__init__()

    monkeypatch.setattr(embeddings, "_embedder", None)
    monkeypatch.setattr(embeddings, "Embedder", SlowEmbedder)
    results: list[Embedder] = []
    threads = [threading.Thread(target=lambda: results.append(get_embedder())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(constructions) == 1
    assert len({id(result) for result in results}) == 1


def test_a_model_file_with_another_sha256_is_refused_with_a_clear_error(tmp_path: Path):
    tampered = tmp_path / "model.onnx"
    shutil.copyfile(embeddings.default_model_path(), tampered)
    with tampered.open("ab") as handle:
        handle.write(b"\0")

    with pytest.raises(EmbeddingModelError, match="sha256") as error:
        Embedder(model_path=tampered)
    assert isinstance(error.value, PermanentProviderError)


def test_a_missing_model_file_is_refused(tmp_path: Path):
    with pytest.raises(EmbeddingModelError, match="not found"):
        Embedder(model_path=tmp_path / "missing.onnx")


def test_the_settings_choose_the_threads_and_a_placed_model_copy(settings, tmp_path: Path):
    placed = tmp_path / "copy.onnx"
    shutil.copyfile(embeddings.default_model_path(), placed)
    settings.EMBEDDING_MODEL_PATH = str(placed)
    settings.EMBEDDING_INTRA_OP_THREADS = 2

    embedder = Embedder()

    assert embedder.model_path == placed
    assert embedder.intra_op_threads == 2
    np.testing.assert_allclose(embedder.embed(["hello there"]), embed(["hello there"]), atol=1e-6)
