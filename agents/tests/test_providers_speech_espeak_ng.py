"""espeak-ng measured on what it produces: two voices, the requested pitch and rate, repeatable."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.providers.speech.base import CHAMPION_VOICE, PROSPECT_VOICE, VoiceSettings
from agents.providers.speech.espeak_ng import EspeakSynthesizer
from agents.testing.signals import median_pitch, wav_seconds

LINE = "Thanks for taking the time today. How is your team handling onboarding right now?"


def test_espeak_speaks_with_two_clearly_different_voices(tmp_path: Path) -> None:
    engine = EspeakSynthesizer()
    male = engine.synthesize(LINE, CHAMPION_VOICE, tmp_path / "male.wav")
    female = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "female.wav")

    assert 85 < median_pitch(male) < 135
    assert 180 < median_pitch(female) < 250
    # 14 words at ~165 words per minute.
    assert 3.5 < wav_seconds(male) < 8.0


def test_espeak_follows_the_requested_pitch_and_rate(tmp_path: Path) -> None:
    engine = EspeakSynthesizer()
    for target in (95.0, 140.0):
        wav = engine.synthesize(LINE, VoiceSettings(gender="male", pitch_hz=target), tmp_path / f"p{target}.wav")
        assert median_pitch(wav) == pytest.approx(target, rel=0.12)
    slow = engine.synthesize(LINE, VoiceSettings(rate_wpm=120), tmp_path / "slow.wav")
    fast = engine.synthesize(LINE, VoiceSettings(rate_wpm=220), tmp_path / "fast.wav")
    assert wav_seconds(slow) / wav_seconds(fast) == pytest.approx(220 / 120, rel=0.2)


def test_espeak_repeats_a_line_the_same_way(tmp_path: Path) -> None:
    # Not byte for byte: the female variant mixes in random breath noise.
    engine = EspeakSynthesizer()
    first = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "a.wav")
    second = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "b.wav")
    assert wav_seconds(first) == pytest.approx(wav_seconds(second), abs=0.05)
    assert median_pitch(first) == pytest.approx(median_pitch(second), rel=0.02)
