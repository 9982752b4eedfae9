"""The pitch tracker on known signals: a voice-like tone, silence and noise."""

from __future__ import annotations

import numpy as np
import pytest

from agents.audio.voice.pitch import track_pitch
from agents.testing.signals import RATE, harmonic_tone


@pytest.mark.parametrize("f0", [75.0, 110.0, 180.0, 240.0, 350.0])
def test_track_pitch_finds_the_fundamental(f0: float) -> None:
    pitch = track_pitch(harmonic_tone(f0))
    voiced = pitch[~np.isnan(pitch)]
    assert voiced.size > 0.9 * pitch.size
    assert np.median(voiced) == pytest.approx(f0, rel=0.01)


def test_track_pitch_calls_silence_and_noise_unvoiced() -> None:
    silence = np.zeros(RATE, dtype=np.float32)
    noise = np.random.default_rng(7).normal(0, 0.2, RATE).astype(np.float32)
    assert np.isnan(track_pitch(silence)).all()
    assert np.isnan(track_pitch(noise)).mean() > 0.9
