"""A recording read a window at a time, so that no step holds a long call's samples whole.

The decode step writes one mono 16-bit WAV; every later step reads the stretches it needs from
it (:class:`WavSource`), as float32 and zeros outside the recording, instead of the whole call
(a two-hour call is 460 MB of float32: issue 13 measured +55 MiB of worker memory per minute of
audio when steps held whole-call arrays). Samples already in memory (tests, a short reply) are
read the same way through :class:`ArraySource`.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, load_audio

_PCM16_SCALE = 32768.0


class AudioSource(Protocol):
    sample_rate: int
    size: int  # samples in the recording

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples ``start`` to ``stop`` (may reach outside the recording: zeros there), float32."""
        ...


def _padded(start: int, stop: int, size: int, fill: Callable[[int, int], np.ndarray]) -> np.ndarray:
    out = np.zeros(max(0, stop - start), dtype=np.float32)
    lo, hi = max(start, 0), min(stop, size)
    if hi > lo:
        out[lo - start : hi - start] = fill(lo, hi)
    return out


class ArraySource:
    """Samples already in memory."""

    def __init__(self, samples: np.ndarray, sample_rate: int = TARGET_SAMPLE_RATE) -> None:
        self.samples = np.asarray(samples).reshape(-1)
        self.sample_rate = sample_rate
        self.size = int(self.samples.size)

    def read(self, start: int, stop: int) -> np.ndarray:
        if 0 <= start <= stop <= self.size and self.samples.dtype == np.float32:
            return self.samples[start:stop]  # a view: nothing copied
        return _padded(start, stop, self.size, lambda lo, hi: self.samples[lo:hi])


class WavSource:
    """A mono 16-bit PCM WAV (the decode step's output), read from disk at each call."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with wave.open(self.path, "rb") as src:
            if src.getnchannels() != 1 or src.getsampwidth() != 2:
                raise ValueError(f"{Path(path).name}: not a mono 16-bit WAV")
            self.sample_rate = src.getframerate()
            self.size = src.getnframes()

    def _frames(self, lo: int, hi: int) -> np.ndarray:
        with wave.open(self.path, "rb") as src:
            src.setpos(lo)
            raw = src.readframes(hi - lo)
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / _PCM16_SCALE
        # A file truncated after its header was written: what is missing reads as silence.
        return np.pad(samples, (0, hi - lo - samples.size)) if samples.size < hi - lo else samples

    def read(self, start: int, stop: int) -> np.ndarray:
        return _padded(start, stop, self.size, self._frames)


def is_mono_pcm16_wav(path: str | Path, sample_rate: int) -> bool:
    try:
        with wave.open(str(path), "rb") as src:
            return src.getnchannels() == 1 and src.getsampwidth() == 2 and src.getframerate() == sample_rate
    except (wave.Error, EOFError, OSError):
        return False


def audio_source(audio: str | Path | np.ndarray | AudioSource, sample_rate: int = TARGET_SAMPLE_RATE) -> AudioSource:
    """``audio`` as a source: samples in memory as they are, the pipeline's WAV read from disk
    window by window, any other file decoded whole (a short recording: tests, a reply)."""
    if isinstance(audio, np.ndarray):
        return ArraySource(audio, sample_rate)
    if isinstance(audio, str | Path):
        if is_mono_pcm16_wav(audio, sample_rate):
            return WavSource(audio)
        return ArraySource(load_audio(audio, sample_rate=sample_rate), sample_rate)
    return audio
