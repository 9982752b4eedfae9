"""Whisper's log-Mel features of a window, bit for bit as one pass over the whole recording
computes them.

Whisper floors its log-Mel spectrogram at 8 (log10 units, 80 dB) below the spectrogram's
maximum, so the features of a window depend on the loudest moment of the whole input: given a
window, faster-whisper floors at the window's own maximum, and the pauses of a window quieter
than the call's loudest moment look different to the model than in a whole pass (on a
10-minute call, tiny.en's greedy decoding then differed in about 3 % of its words, seams
apart). So the call's maximum is measured first, a window at a time, and every window is
floored at it.

The Mel filter bank product is the other difference: BLAS sums a frame's column in an order
that depends on the width of the matrix and on the column's place in it, so the same frame came
out up to 5e-7 apart in a 60-s window and in a 150-s recording, and tiny.en aligned a word
20 ms later, moved the next chunk's start and drifted from there. Every pass, one window or
many, therefore multiplies the frames in blocks of ``_MEL_BLOCK_FRAMES`` placed at the same
frames of the recording (padded to full width at a window's edges): a frame's features are the
same bits in any window that holds its audio.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from agents.audio.source import AudioSource

_FLOOR_BELOW_MAX = 8.0  # Whisper's own: log_spec.max() - 8.0
_PADDING = 160  # what faster-whisper appends before its STFT
_MEL_BLOCK_FRAMES = 1024
# Audio read on each side of a stretch whose maximum is measured: a frame's STFT reaches
# 200 samples either side of its centre.
_CONTEXT_SAMPLES = 480


def _mel_product(mel_filters: np.ndarray, magnitudes: np.ndarray, first_frame: int) -> np.ndarray:
    """``mel_filters @ magnitudes`` in blocks placed at the recording's frames (the first column
    of ``magnitudes`` is the recording's frame ``first_frame``), each block a full one."""
    frames = magnitudes.shape[1]
    out = np.empty((mel_filters.shape[0], frames), dtype=np.float32)
    block_start = -(first_frame % _MEL_BLOCK_FRAMES)
    while block_start < frames:
        lo, hi = max(block_start, 0), min(block_start + _MEL_BLOCK_FRAMES, frames)
        block = np.zeros((magnitudes.shape[0], _MEL_BLOCK_FRAMES), dtype=magnitudes.dtype)
        block[:, lo - block_start : hi - block_start] = magnitudes[:, lo:hi]
        out[:, lo:hi] = (mel_filters @ block)[:, lo - block_start : hi - block_start]
        block_start += _MEL_BLOCK_FRAMES
    return out


def _log_mel(extractor: Any, waveform: np.ndarray, first_frame: int = 0, padding: int = _PADDING) -> np.ndarray:
    """log10 of the Mel spectrogram, before Whisper's floor and scaling (faster-whisper's own
    computation, ``FeatureExtractor.__call__``, but for the Mel product's blocks)."""
    waveform = np.pad(waveform.astype(np.float32, copy=False), (0, padding)) if padding else waveform
    window = np.hanning(extractor.n_fft + 1)[:-1].astype("float32")
    stft = extractor.stft(waveform, extractor.n_fft, extractor.hop_length, window=window, return_complex=True)
    magnitudes = np.abs(stft.astype("complex64")[..., :-1]) ** 2
    mel = _mel_product(extractor.mel_filters.astype(np.float32, copy=False), magnitudes, first_frame)
    return np.log10(np.clip(mel, a_min=1e-10, a_max=None))


def recording_mel_max(extractor: Any, source: AudioSource, stretches: list[tuple[int, int]]) -> float:
    """The largest log-Mel value of the recording, as one pass over it computes it, measured a
    stretch at a time: each read with the audio around it, so its edge frames are not
    computed from padding (but at the recording's own start and end, as the whole pass's)."""
    hop = extractor.hop_length
    largest = -np.inf
    for start, stop in stretches:
        lo = max(0, start - _CONTEXT_SAMPLES)
        hi = min(source.size, stop + _CONTEXT_SAMPLES)
        at_end = hi >= source.size
        log_mel = _log_mel(extractor, source.read(lo, hi), lo // hop, padding=_PADDING if at_end else 0)
        first = (start - lo) // hop
        last = log_mel.shape[1] if at_end else (stop - lo) // hop
        largest = max(largest, float(log_mel[:, first:last].max()))
    return largest


class _FlooredAt:
    """faster-whisper's feature extractor, flooring at a given maximum instead of its input's
    (its input's own with none), its Mel product placed at the recording's frames."""

    def __init__(self, extractor: Any, mel_max: float | None, first_frame: int) -> None:
        self._extractor = extractor
        self._floor = None if mel_max is None else mel_max - _FLOOR_BELOW_MAX
        self._first_frame = first_frame

    def __getattr__(self, name: str) -> Any:
        return getattr(self._extractor, name)

    def __call__(self, waveform: np.ndarray, padding: int = _PADDING, chunk_length: int | None = None) -> np.ndarray:
        if chunk_length is not None:
            self._extractor.n_samples = chunk_length * self._extractor.sampling_rate
            self._extractor.nb_max_frames = self._extractor.n_samples // self._extractor.hop_length
        log_spec = _log_mel(self._extractor, waveform, self._first_frame, padding)
        floor = log_spec.max() - _FLOOR_BELOW_MAX if self._floor is None else self._floor
        return (np.maximum(log_spec, floor) + 4.0) / 4.0


def model_floored_at(model: Any, mel_max: float | None, first_frame: int = 0) -> Any:
    """A shallow copy of the ``WhisperModel`` (sharing its CTranslate2 model and tokenizer)
    whose features are floored at ``mel_max`` (None: at their own maximum, as faster-whisper
    does) for audio starting at the recording's frame ``first_frame``: the shared model is
    left as it is, so calls in other threads are not affected."""
    floored = copy.copy(model)
    floored.feature_extractor = _FlooredAt(model.feature_extractor, mel_max, first_frame)
    return floored
