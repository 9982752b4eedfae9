"""Whisper's log-Mel features of a window as one pass over the whole recording computes them.

Whisper floors its log-Mel spectrogram at 8 (log10 units, 80 dB) below the spectrogram's
maximum, so the features of a window depend on the loudest moment of the whole input: given a
window, faster-whisper floors at the window's own maximum, and the pauses of a window quieter
than the call's loudest moment look different to the model than in a whole pass (on a
10-minute call, tiny.en's greedy decoding then differed in about 3 % of its words, seams
apart). So the call's maximum is measured first, a window at a time, and every window is
floored at it: the same features, window by window, as one pass would give.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from agents.audio.source import AudioSource

_FLOOR_BELOW_MAX = 8.0  # Whisper's own: log_spec.max() - 8.0
_PADDING = 160  # what faster-whisper appends before its STFT


def _log_mel(extractor: Any, waveform: np.ndarray, padding: int = _PADDING) -> np.ndarray:
    """log10 of the Mel spectrogram, before Whisper's floor and scaling (faster-whisper's own
    computation, ``FeatureExtractor.__call__``)."""
    waveform = np.pad(waveform.astype(np.float32, copy=False), (0, padding)) if padding else waveform
    window = np.hanning(extractor.n_fft + 1)[:-1].astype("float32")
    stft = extractor.stft(waveform, extractor.n_fft, extractor.hop_length, window=window, return_complex=True)
    magnitudes = np.abs(stft.astype("complex64")[..., :-1]) ** 2
    return np.log10(np.clip(extractor.mel_filters @ magnitudes, a_min=1e-10, a_max=None))


def recording_mel_max(extractor: Any, source: AudioSource, windows: list[tuple[int, int]]) -> float:
    """The largest log-Mel value of the recording, measured window by window."""
    return max(float(_log_mel(extractor, source.read(start, stop)).max()) for start, stop in windows)


class _FlooredAt:
    """faster-whisper's feature extractor, flooring at a given maximum instead of its input's."""

    def __init__(self, extractor: Any, mel_max: float) -> None:
        self._extractor = extractor
        self._floor = mel_max - _FLOOR_BELOW_MAX

    def __getattr__(self, name: str) -> Any:
        return getattr(self._extractor, name)

    def __call__(self, waveform: np.ndarray, padding: int = _PADDING, chunk_length: int | None = None) -> np.ndarray:
        if chunk_length is not None:
            self._extractor.n_samples = chunk_length * self._extractor.sampling_rate
            self._extractor.nb_max_frames = self._extractor.n_samples // self._extractor.hop_length
        log_spec = np.maximum(_log_mel(self._extractor, waveform, padding), self._floor)
        return (log_spec + 4.0) / 4.0


def model_floored_at(model: Any, mel_max: float) -> Any:
    """A shallow copy of the ``WhisperModel`` (sharing its CTranslate2 model and tokenizer)
    whose features are floored at ``mel_max``: the shared model is left as it is, so calls in
    other threads are not affected."""
    floored = copy.copy(model)
    floored.feature_extractor = _FlooredAt(model.feature_extractor, mel_max)
    return floored
