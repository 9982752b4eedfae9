"""The voice of a speaker: pitch, level, pace and pauses, from the samples and the transcript."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource
from agents.audio.voice.frames import (
    HOP_SECONDS,
    MIN_PAUSE_SECONDS,
    SILENCE_BELOW_SPEECH_DB,
    frames_in_spans,
    speech_level_db,
)
from agents.audio.voice.pitch import level_and_pitch
from agents.audio.voice.spans import segments_of, speaking_seconds, words_of
from agents.types import Transcript, VoiceProfile


def pause_ratio(energy_db: np.ndarray, mask: np.ndarray, *, min_pause: float = MIN_PAUSE_SECONDS) -> float:
    """Share of the masked time spent in silences of ``min_pause`` or longer."""
    if not mask.any():
        return 0.0
    silent = (energy_db < speech_level_db(energy_db) - SILENCE_BELOW_SPEECH_DB) & mask
    min_frames = int(round(min_pause / HOP_SECONDS))
    # Run lengths of silent frames; only long runs are pauses.
    padded = np.concatenate([[False], silent, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    lengths = ends - starts
    paused = int(lengths[lengths >= min_frames].sum())
    return paused / int(mask.sum())


def voice_profile(
    audio: str | Path | np.ndarray | AudioSource,
    transcript: Transcript,
    *,
    speaker: str | None = "champion",
    sample_rate: int = TARGET_SAMPLE_RATE,
    hops: tuple[np.ndarray, np.ndarray] | None = None,
) -> VoiceProfile:
    """The voice of ``speaker`` (the champion by default; everyone when turns are unknown).

    ``audio`` is the decoded WAV path (read a window at a time), its samples at ``sample_rate``
    or a source; ``hops`` its level and pitch per hop when the caller has them already. Pitch median and
    range (5th to 95th percentile, robust to octave errors of single frames) come from the
    voiced frames inside the speaker's segments; energy is the mean level of their voiced
    frames in dBFS; the pause ratio is the share of the speaker's turns spent in silences of
    a quarter second or more.
    """
    mine = segments_of(transcript, speaker)
    if hops is None:
        hops = level_and_pitch(audio, sample_rate)
    energy, f0 = hops
    count = min(energy.size, f0.size)
    energy, f0 = energy[:count], f0[:count]
    turns = frames_in_spans(((s.start, s.end) for s in mine), count)
    voiced = turns & ~np.isnan(f0)
    pitches = f0[voiced]
    if pitches.size:
        median = float(np.median(pitches))
        low, high = np.percentile(pitches, [5, 95])
        pitch_range = float(high - low)
    else:
        median = pitch_range = 0.0
    level = float(np.mean(energy[voiced])) if voiced.any() else float(np.mean(energy[turns])) if turns.any() else -100.0
    words = words_of(mine)
    word_count = len(words) if words else sum(len(re.findall(r"[\w']+", s.text)) for s in mine)
    minutes = speaking_seconds(mine) / 60.0
    return VoiceProfile(
        pitch_median_hz=round(median, 2),
        pitch_range_hz=round(pitch_range, 2),
        energy_mean_db=round(level, 2),
        words_per_minute=round(word_count / minutes, 2) if minutes > 0 else 0.0,
        pause_ratio=round(pause_ratio(energy, turns), 4),
    )
