"""Mono 16-bit PCM WAV files: the one format every step after decoding reads and writes."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from agents.audio.errors import UnreadableMedia


def float_to_pcm16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


@contextmanager
def wav_writer(path: str | Path, sample_rate: int | None = None) -> Iterator[wave.Wave_write]:
    """A WAV file open for writing, its folder created; mono 16-bit at ``sample_rate`` when
    one is given (without one the caller sets the format, as Piper does)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        if sample_rate is not None:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
        yield out


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> str:
    """Write mono samples as a 16-bit PCM WAV; returns the path.

    Float samples are in [-1, 1]; integer samples are 16-bit PCM already (what a speech
    engine hands back) and are written as they are.
    """
    samples = np.asarray(samples)
    if np.issubdtype(samples.dtype, np.integer):
        pcm = samples.astype("<i2")
    else:
        pcm = float_to_pcm16(samples.astype(np.float32).reshape(-1))
    with wav_writer(path, sample_rate) as out:
        out.writeframes(pcm.tobytes())
    return str(path)


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a PCM WAV (8/16/32-bit, any channel count) as mono float32 in [-1, 1]."""
    with wave.open(str(path), "rb") as src:
        channels = src.getnchannels()
        width = src.getsampwidth()
        rate = src.getframerate()
        total = src.getnframes()
        if width not in (1, 2, 4):
            raise UnreadableMedia(f"{Path(path).name}: unsupported WAV sample width {width}")
        # Converted a minute at a time into one preallocated array: a two-hour call is read
        # with one float32 copy in memory, not the bytes plus two float temporaries.
        samples = np.empty(total, dtype=np.float32)
        done = 0
        while done < total:
            raw = src.readframes(min(rate * 60, total - done))
            if not raw:
                break
            if width == 2:
                chunk = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
            elif width == 4:
                chunk = (np.frombuffer(raw, dtype="<i4") / 2147483648.0).astype(np.float32)
            else:
                chunk = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
            if channels > 1:
                chunk = chunk.reshape(-1, channels).mean(axis=1)
            samples[done : done + chunk.size] = chunk
            done += chunk.size
    return samples[:done], rate
