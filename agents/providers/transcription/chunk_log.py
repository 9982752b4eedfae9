"""faster-whisper's decoding loop watched chunk by chunk, so that the next window can carry on
from where the whole pass would be (:mod:`.windows`).

The loop (``WhisperModel.generate_segments`` of faster-whisper 1.2.1, pinned in
requirements.txt) keeps its state in local variables: where each 30-s chunk starts
(``seek``), the tokens it prompts the chunk with (``all_tokens[prompt_reset_since:]``, which
it resets after a chunk decoded at a temperature over ``prompt_reset_on_temperature`` and which
it never shows for a chunk that yields no segment) and the end of the last word heard
(``last_speech_timestamp``, by which it shortens a long first word after a pause). A copy of
the model notes that state where the loop hands it out: the features it cuts for a chunk
(``features[:, seek : seek + size]``), ``get_prompt(tokenizer, previous_tokens, ...)`` and
``add_word_timestamps(..., last_speech_timestamp=...)``; it gives the loop the whole pass's
last word end instead of the window's own start; and it stops the loop before it decodes a
chunk that the window's end cuts short. A new faster-whisper release must be checked against
these three calls (the windows' tests fail if the transcript no longer matches one pass).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from faster_whisper.utils import get_end


@dataclass(frozen=True)
class Chunk:
    seek: int  # the frame of the window's features where the chunk starts
    previous_tokens: tuple[int, ...]  # what the loop prompts it with (before its last 223 are taken)
    last_speech: float  # seconds in the window's audio: the end of the last word decoded before it


class WindowFull(Exception):
    """The loop reached a chunk that the window's end cuts short: it is not decoded."""


class ChunkLog:
    """The chunks of one window's decoding, the first one that does not fit the window last."""

    def __init__(self, fits: Callable[[int], bool], last_speech: float = 0.0) -> None:
        self._fits = fits
        self.last_speech = last_speech
        self.chunks: list[Chunk] = []
        self._seek: int | None = None

    @property
    def cut(self) -> Chunk | None:
        """The chunk the window stopped at (the next window starts there); None when the
        window was decoded to its end."""
        if self.chunks and not self._fits(self.chunks[-1].seek):
            return self.chunks[-1]
        return None

    def chunk_cut(self, seek: int) -> None:
        self._seek = seek

    def chunk_prompted(self, previous_tokens: list[int]) -> None:
        if self._seek is None:
            raise RuntimeError("faster-whisper prompted a chunk it did not cut: its loop has changed")
        self.chunks.append(Chunk(self._seek, tuple(previous_tokens), self.last_speech))
        self._seek = None
        if not self._fits(self.chunks[-1].seek):
            raise WindowFull


class _NotedFeatures(np.ndarray):
    """Log-Mel features that tell ``log`` where the loop cuts each chunk from them."""

    log: ChunkLog | None = None

    def __getitem__(self, key: Any) -> Any:
        if self.log is not None and _is_chunk_cut(key):
            self.log.chunk_cut(int(key[1].start))
        return self.view(np.ndarray)[key]


def _is_chunk_cut(key: Any) -> bool:
    # The loop's own ``features[:, seek : seek + segment_size]``; language detection cuts
    # ``features[..., seek:]``, which is not a chunk.
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and key[0] == slice(None)
        and isinstance(key[1], slice)
        and key[1].start is not None
    )


class _FeaturesNoted:
    """A feature extractor whose features note the chunks cut from them."""

    def __init__(self, extractor: Any, log: ChunkLog) -> None:
        self._extractor = extractor
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._extractor, name)

    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        noted = np.asarray(self._extractor(*args, **kwargs)).view(_NotedFeatures)
        noted.log = self._log
        return noted


def model_logging_chunks(model: Any, log: ChunkLog) -> Any:
    """A shallow copy of the ``WhisperModel`` (sharing its CTranslate2 model) whose decoding
    loop is noted in ``log`` and stopped at the first chunk that does not fit; the shared
    model is left as it is, so calls in other threads are not affected."""
    watched = copy.copy(model)
    watched.feature_extractor = _FeaturesNoted(model.feature_extractor, log)

    def get_prompt(tokenizer: Any, previous_tokens: list[int], *args: Any, **kwargs: Any) -> list[int]:
        log.chunk_prompted(previous_tokens)
        return model.get_prompt(tokenizer, previous_tokens, *args, **kwargs)

    def add_word_timestamps(segments: list[list[dict]], *args: Any, **kwargs: Any) -> Any:
        # The loop starts every window at 0 s; the whole pass has the last word before it.
        kwargs["last_speech_timestamp"] = log.last_speech
        result = model.add_word_timestamps(segments, *args, **kwargs)
        # As the loop does after it (``get_end`` of the chunk's segments).
        end = get_end(segments[0]) if segments else None
        if end is not None:
            log.last_speech = end
        return result

    watched.get_prompt = get_prompt
    watched.add_word_timestamps = add_word_timestamps
    return watched
