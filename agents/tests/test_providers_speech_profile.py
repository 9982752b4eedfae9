"""Voice settings from a champion's profile, and an offline voice that sounds like it."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.providers.speech.espeak_ng import EspeakSynthesizer
from agents.providers.speech.profile import voice_settings_from_profile
from agents.testing.signals import median_pitch
from agents.types import VoiceProfile

LINE = "Thanks for taking the time today. How is your team handling onboarding right now?"


def test_voice_settings_follow_the_champions_profile() -> None:
    low = VoiceProfile(
        pitch_median_hz=110.0, pitch_range_hz=33.0, energy_mean_db=-20, words_per_minute=150, pause_ratio=0.1
    )
    high = VoiceProfile(
        pitch_median_hz=215.0, pitch_range_hz=136.0, energy_mean_db=-20, words_per_minute=400, pause_ratio=0.1
    )

    male = voice_settings_from_profile(low, voice_id="clone-1")
    female = voice_settings_from_profile(high)

    assert (male.gender, male.pitch_hz, male.rate_wpm, male.pitch_range, male.voice_id) == (
        "male",
        110.0,
        150.0,
        50,
        "clone-1",
    )
    assert (female.gender, female.rate_wpm, female.pitch_range) == ("female", 260.0, 100)  # clamped


def test_a_profiled_voice_sounds_like_the_profile(tmp_path: Path) -> None:
    profile = VoiceProfile(
        pitch_median_hz=125.0, pitch_range_hz=30.0, energy_mean_db=-20, words_per_minute=170, pause_ratio=0.1
    )
    wav = EspeakSynthesizer().synthesize(LINE, voice_settings_from_profile(profile), tmp_path / "clone.wav")
    assert median_pitch(wav) == pytest.approx(125.0, rel=0.12)
