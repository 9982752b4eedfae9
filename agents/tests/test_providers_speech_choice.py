"""Which speech engine the settings choose, and which one clones voices."""

from __future__ import annotations

import pytest

from agents.providers.speech.choice import get_synthesizer, get_voice_cloner
from agents.providers.speech.elevenlabs_api import ElevenLabsSynthesizer
from agents.providers.speech.espeak_ng import EspeakSynthesizer
from agents.providers.speech.piper_tts import PiperSynthesizer, piper_available
from agents.testing.wire import LocalVendorServer


@pytest.fixture
def server():
    with LocalVendorServer() as running:
        yield running


def test_offline_engine_choice_follows_settings(settings) -> None:
    settings.ELEVENLABS_API_KEY = ""
    settings.SPEECH_ENGINE = "espeak"
    assert isinstance(get_synthesizer(), EspeakSynthesizer)
    settings.SPEECH_ENGINE = ""
    assert isinstance(get_synthesizer(), PiperSynthesizer if piper_available() else EspeakSynthesizer)


def test_only_the_vendor_engine_clones_voices(settings, server: LocalVendorServer) -> None:
    settings.ELEVENLABS_API_KEY = ""
    assert get_voice_cloner() is None
    settings.ELEVENLABS_API_KEY = "xi-live"
    settings.ELEVENLABS_BASE_URL = server.url
    assert isinstance(get_voice_cloner(), ElevenLabsSynthesizer)


def test_with_elevenlabs_key_elevenlabs_is_chosen(settings, server: LocalVendorServer) -> None:
    settings.ELEVENLABS_API_KEY = "xi-live"
    settings.ELEVENLABS_BASE_URL = server.url
    synthesizer = get_synthesizer()
    assert isinstance(synthesizer, ElevenLabsSynthesizer)
