"""What every speech engine takes and does: engine-neutral voice settings in, a WAV out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Gender = Literal["male", "female"]


@dataclass(frozen=True)
class VoiceSettings:
    """How a line should sound, engine-neutral.

    ``pitch_hz`` is the target median pitch (None: the voice's natural pitch); ``pitch_range``
    is espeak-ng's 0 (monotone) to 100 (lively) scale, 50 natural. ``voice_id`` names a vendor
    voice (an ElevenLabs clone of the champion); offline engines ignore it.
    """

    gender: Gender = "male"
    rate_wpm: float = 165.0
    pitch_hz: float | None = None
    pitch_range: int = 50
    language: str = "en-us"
    voice_id: str | None = None


# Two voices that nobody (and no speaker clustering) confuses: the synthesized test calls and
# the offline prospect use them.
CHAMPION_VOICE = VoiceSettings(gender="male", rate_wpm=165.0)
PROSPECT_VOICE = VoiceSettings(gender="female", rate_wpm=160.0)


class SpeechSynthesizer(ABC):
    name: str = "speech"

    @abstractmethod
    def synthesize(self, text: str, voice: VoiceSettings, out_path: str | Path) -> str:
        """Speak ``text`` with ``voice`` into a WAV at ``out_path``; returns the path."""
