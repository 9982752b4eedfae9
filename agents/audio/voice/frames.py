"""Signal-level measurements per 10 ms hop: frames, their level, and the speech level of a
recording. Shared by the pitch tracker, the voice profile and the speaker attribution."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource, audio_source

# Analysis frames: 10 ms hop is the usual resolution for prosody.
HOP_SECONDS = 0.010
# Frames this far below the loud speech level are silence, whatever the recording's gain.
SILENCE_BELOW_SPEECH_DB = 30.0
# A gap shorter than this is articulation (a stop consonant, a breath), not a pause.
MIN_PAUSE_SECONDS = 0.25


def frame_count(sample_count: int, sample_rate: int = TARGET_SAMPLE_RATE) -> int:
    """Number of 10 ms hops in a recording: one per hop start, the last one partial."""
    hop = int(round(HOP_SECONDS * sample_rate))
    return max(1, -(-sample_count // hop))


# One gather reads at most this much of the recording (frames far apart are read in parts).
_GATHER_MAX_SPAN_SECONDS = 120.0


def gather_frames(
    audio: np.ndarray | AudioSource, frame_indices: np.ndarray, hop: int, window: int, left: int
) -> np.ndarray:
    """Frames (float64, one row per index) starting ``left`` samples before each hop start,
    zeros outside the recording.

    Only the stretch of the recording the frames cover is read (from the WAV on disk for a
    :class:`WavSource`), never the whole call: a two-hour call is 460 MB of float32 and no
    step holds it. Callers gather block by block.
    """
    source = audio_source(audio)
    frame_indices = np.asarray(frame_indices)
    if frame_indices.size == 0:
        return np.zeros((0, window))
    lowest, highest = int(frame_indices.min()), int(frame_indices.max())
    max_span = int(_GATHER_MAX_SPAN_SECONDS * source.sample_rate) // max(hop, 1)
    if highest - lowest > max_span and frame_indices.size > 1:
        half = frame_indices.size // 2
        return np.concatenate(
            [
                gather_frames(source, frame_indices[:half], hop, window, left),
                gather_frames(source, frame_indices[half:], hop, window, left),
            ]
        )
    first = lowest * hop - left
    stretch = source.read(first, highest * hop - left + window)
    positions = (frame_indices[:, None] - lowest) * hop + np.arange(window)[None, :]
    return stretch[positions].astype(np.float64)


def frame_energy_db(audio: np.ndarray | AudioSource, sample_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """RMS level in dBFS of each 10 ms hop (25 ms window centred on it); -100 for silence."""
    source = audio_source(audio, sample_rate)
    hop = int(round(HOP_SECONDS * sample_rate))
    window = int(round(0.025 * sample_rate))
    count = frame_count(source.size, sample_rate)
    out = np.empty(count, dtype=np.float32)
    for start in range(0, count, 16_384):
        indices = np.arange(start, min(start + 16_384, count))
        block = gather_frames(source, indices, hop, window, window // 2)
        rms = np.sqrt(np.mean(block * block, axis=1))
        out[indices] = 20.0 * np.log10(np.maximum(rms, 1e-5))
    return out


def speech_level_db(energy_db: np.ndarray) -> float:
    """The level of loud speech: the 95th percentile of frames that are not digital silence."""
    active = energy_db[energy_db > -99.0]
    return float(np.percentile(active, 95)) if active.size else -100.0


def frames_in_spans(spans: Iterable[tuple[float, float]], count: int) -> np.ndarray:
    """Which of ``count`` 10 ms hops fall inside a set of time spans (seconds)."""
    mask = np.zeros(count, dtype=bool)
    for start, end in spans:
        a = max(0, int(start / HOP_SECONDS))
        b = min(count, int(np.ceil(end / HOP_SECONDS)))
        mask[a:b] = True
    return mask
