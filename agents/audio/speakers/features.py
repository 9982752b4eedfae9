"""What describes a piece's voice: median pitch, level, the mean of MFCC-like cepstral
coefficients and the spectral centroid, from its clearly voiced frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.audio.source import AudioSource, audio_source
from agents.audio.speakers.pieces import Piece
from agents.audio.voice.frames import (
    HOP_SECONDS,
    SILENCE_BELOW_SPEECH_DB,
    gather_frames,
    speech_level_db,
)
from agents.audio.voice.pitch import level_and_pitch

# Pieces with less loud speech than this have unreliable statistics; they take the speaker
# of their nearest reliable neighbour in time.
MIN_RELIABLE_SECONDS = 0.4
_N_MELS = 26
_N_CEPSTRA = 12
_FFT = 512
# How much each feature counts in the clustering, once standardised: pitch is the strongest
# single cue between two voices; the 12 cepstra together describe timbre and count as much as
# pitch, the level and centroid less. In the order of a piece's features.
FEATURE_WEIGHTS = np.array([3.0, 0.5, *([3.0 / np.sqrt(_N_CEPSTRA)] * _N_CEPSTRA), 1.0])


@dataclass(frozen=True)
class CallSignal:
    """The recording per 10 ms hop, as the attribution reads it."""

    source: AudioSource  # read again, a stretch at a time, for the pieces' spectra
    energy: np.ndarray  # level in dBFS
    f0: np.ndarray  # pitch in Hz, NaN where unvoiced
    silent: np.ndarray  # far below the speech level
    loud: np.ndarray  # clearly voiced speech: within 25 dB of the loud level

    @classmethod
    def measure(cls, audio: np.ndarray | AudioSource, sample_rate: int) -> CallSignal:
        source = audio_source(audio, sample_rate)
        energy, f0 = level_and_pitch(source, sample_rate)
        count = min(energy.size, f0.size)
        energy, f0 = energy[:count], f0[:count]
        level = speech_level_db(energy)
        return cls(source, energy, f0, silent=energy < level - SILENCE_BELOW_SPEECH_DB, loud=energy > level - 25.0)


def describe_pieces(pieces: list[Piece], signal: CallSignal, sample_rate: int) -> list[int]:
    """Set each piece's loud speaking time and, when it has enough loud speech, its features;
    returns the indexes of those reliable pieces."""
    count = signal.energy.size
    frame_ranges: list[np.ndarray] = []
    for piece in pieces:
        a = max(0, int(piece.start / HOP_SECONDS))
        b = min(count, int(np.ceil(piece.end / HOP_SECONDS)))
        frames = np.arange(a, b)[signal.loud[a:b]]
        frame_ranges.append(frames)
        piece.loud_seconds = frames.size * HOP_SECONDS
    all_frames = np.concatenate(frame_ranges) if frame_ranges else np.zeros(0, dtype=int)
    spectral = (
        spectral_features(signal.source, all_frames, sample_rate) if all_frames.size else np.zeros((0, _N_CEPSTRA + 1))
    )
    reliable: list[int] = []
    offset = 0
    for index, (piece, frames) in enumerate(zip(pieces, frame_ranges, strict=True)):
        block = spectral[offset : offset + frames.size]
        offset += frames.size
        pitches = signal.f0[frames]
        pitches = pitches[~np.isnan(pitches)]
        if piece.loud_seconds < MIN_RELIABLE_SECONDS or pitches.size < 10:
            continue
        piece.features = np.concatenate(
            [
                [np.log(np.median(pitches)), float(np.mean(signal.energy[frames])) / 10.0],
                block.mean(axis=0),
            ]
        )
        reliable.append(index)
    return reliable


def _mel_filterbank(sample_rate: int) -> np.ndarray:
    def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)

    mel_points = np.linspace(hz_to_mel(60.0), hz_to_mel(min(7600.0, sample_rate / 2 - 100)), _N_MELS + 2)
    hz_points = 700.0 * (10 ** (mel_points / 2595.0) - 1.0)
    bins = np.floor((_FFT + 1) * hz_points / sample_rate).astype(int)
    bank = np.zeros((_N_MELS, _FFT // 2 + 1))
    for m in range(1, _N_MELS + 1):
        left, centre, right = bins[m - 1], bins[m], bins[m + 1]
        for k in range(left, centre):
            bank[m - 1, k] = (k - left) / max(centre - left, 1)
        for k in range(centre, right):
            bank[m - 1, k] = (right - k) / max(right - centre, 1)
    return bank


def _dct_matrix() -> np.ndarray:
    n = np.arange(_N_MELS)
    k = np.arange(1, _N_CEPSTRA + 1)[:, None]  # c0 is overall loudness: left out
    return np.cos(np.pi * k * (2 * n + 1) / (2 * _N_MELS))


def spectral_features(audio: np.ndarray | AudioSource, frame_indices: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cepstral coefficients 1-12 and the spectral centroid (kHz) of the given 10 ms frames."""
    hop = int(HOP_SECONDS * sample_rate)
    window = int(0.025 * sample_rate)
    taper = np.hanning(window)
    bank = _mel_filterbank(sample_rate)
    dct = _dct_matrix()
    freqs = np.fft.rfftfreq(_FFT, 1.0 / sample_rate)
    out = np.zeros((frame_indices.size, _N_CEPSTRA + 1), dtype=np.float32)
    for start in range(0, frame_indices.size, 8192):
        idx = frame_indices[start : start + 8192]
        frames = gather_frames(audio, idx, hop, window, window // 2) * taper
        power = np.abs(np.fft.rfft(frames, _FFT)) ** 2
        mel = np.log(np.maximum(power @ bank.T, 1e-10))
        out[start : start + idx.size, :_N_CEPSTRA] = mel @ dct.T
        total = np.maximum(power.sum(axis=1), 1e-10)
        out[start : start + idx.size, _N_CEPSTRA] = (power @ freqs) / total / 1000.0
    return out
