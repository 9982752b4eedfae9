"""Fundamental frequency per 10 ms hop with YIN (de Cheveigné & Kawahara 2002), vectorised."""

from __future__ import annotations

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource, audio_source
from agents.audio.voice.frames import (
    HOP_SECONDS,
    SILENCE_BELOW_SPEECH_DB,
    frame_energy_db,
    gather_frames,
    speech_level_db,
)

# A 32 ms window holds two periods of a 60 Hz voice, the lowest pitch we look for.
PITCH_WINDOW_SECONDS = 0.032
PITCH_MIN_HZ = 60.0
PITCH_MAX_HZ = 400.0
# YIN's threshold on the cumulative mean normalised difference (de Cheveigné & Kawahara
# 2002 use 0.1-0.15); above it a frame is called unvoiced.
YIN_THRESHOLD = 0.15
# Frames analysed together: ~100 MB of FFT work arrays per block.
_BLOCK_FRAMES = 1024


def track_pitch(
    audio: np.ndarray | AudioSource,
    sample_rate: int = TARGET_SAMPLE_RATE,
    *,
    fmin: float = PITCH_MIN_HZ,
    fmax: float = PITCH_MAX_HZ,
    threshold: float = YIN_THRESHOLD,
    energy: np.ndarray | None = None,
) -> np.ndarray:
    """Fundamental frequency per 10 ms hop (YIN), NaN where unvoiced or silent.

    The difference function is computed for all frames of a block at once through FFT
    cross-correlation and cumulative sums of squares, so a one-hour call takes seconds. Each
    block reads only its own stretch of ``audio`` (a :class:`WavSource` from disk). ``energy``
    is the recording's :func:`frame_energy_db` when the caller has it already.
    """
    source = audio_source(audio, sample_rate)
    hop = int(round(HOP_SECONDS * sample_rate))
    window = int(round(PITCH_WINDOW_SECONDS * sample_rate))
    min_lag = max(2, int(sample_rate / fmax))
    max_lag = int(np.ceil(sample_rate / fmin))
    span = window + max_lag
    energy = frame_energy_db(source, sample_rate) if energy is None else energy
    # Relative to the recording's speech level, and never digital silence (where the
    # difference function is zero at every lag and any lag would look periodic).
    gate = max(speech_level_db(energy) - SILENCE_BELOW_SPEECH_DB, -90.0)
    n_fft = 1 << int(np.ceil(np.log2(span + window)))
    f0 = np.full(energy.size, np.nan, dtype=np.float32)
    for start in range(0, energy.size, _BLOCK_FRAMES):
        loud = energy[start : start + _BLOCK_FRAMES] > gate
        if not loud.any():
            continue
        idx = np.flatnonzero(loud)
        frames = gather_frames(source, start + idx, hop, span, window // 2)
        cmnd = _normalized_difference(frames, window=window, max_lag=max_lag, n_fft=n_fft)
        voiced, period = _first_dip_periods(cmnd[:, min_lag:], threshold=threshold, min_lag=min_lag)
        f0[start + idx[voiced]] = (sample_rate / period[voiced]).astype(np.float32)
    return f0


def _normalized_difference(x: np.ndarray, *, window: int, max_lag: int, n_fft: int) -> np.ndarray:
    """YIN's cumulative mean normalised difference of each frame (row of ``x``, ``window`` plus
    ``max_lag`` samples long) at every lag from 0 to ``max_lag``."""
    lags = np.arange(max_lag + 1)
    head = x[:, :window]
    # r(tau) = sum_j x[j] x[j + tau] for j < window, for every lag at once.
    spectrum = np.conj(np.fft.rfft(head, n_fft)) * np.fft.rfft(x, n_fft)
    corr = np.fft.irfft(spectrum, n_fft)[:, : max_lag + 1]
    squares = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x * x, axis=1)], axis=1)
    energy_head = squares[:, window][:, None]
    energy_lagged = squares[:, lags + window] - squares[:, lags]
    diff = np.maximum(energy_head + energy_lagged - 2.0 * corr, 0.0)
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(cumulative, 1e-12)
    return cmnd


def _first_dip_periods(search: np.ndarray, *, threshold: float, min_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, from its normalised difference at lags ``min_lag`` and up: whether it is
    voiced, and its period in samples (sub-sample precise)."""
    below = search < threshold
    has_dip = below.any(axis=1)
    # First lag under the threshold, then down to the bottom of that dip: the first dip
    # is the period, later (sometimes deeper) ones are its multiples.
    first = below.argmax(axis=1)
    columns = np.arange(search.shape[1] - 1)
    rising = (search[:, 1:] >= search[:, :-1]) & (columns[None, :] >= first[:, None])
    bottom = np.where(rising.any(axis=1), rising.argmax(axis=1), search.shape[1] - 1)
    rows = np.arange(search.shape[0])
    voiced = has_dip & (search[rows, bottom] < threshold)
    # Parabolic interpolation around the minimum for sub-sample precision.
    inner = np.clip(bottom, 1, search.shape[1] - 2)
    a, b, c = search[rows, inner - 1], search[rows, inner], search[rows, inner + 1]
    denom = a - 2.0 * b + c
    shift = np.where((denom > 0) & (inner == bottom), 0.5 * (a - c) / np.where(denom > 0, denom, 1.0), 0.0)
    period = bottom + min_lag + np.clip(shift, -1.0, 1.0)
    return voiced, period


def level_and_pitch(
    audio: np.ndarray | AudioSource, sample_rate: int = TARGET_SAMPLE_RATE
) -> tuple[np.ndarray, np.ndarray]:
    """Level (dB) and pitch per hop, the level measured once and given to the pitch tracker:
    the speakers, the voice profile and the pipeline all want both."""
    source = audio_source(audio, sample_rate)
    energy = frame_energy_db(source, sample_rate)
    return energy, track_pitch(source, sample_rate, energy=energy)
