"""Voice settings that make an offline engine sound like a profiled speaker."""

from __future__ import annotations

import numpy as np

from agents.providers.speech.base import Gender, VoiceSettings
from agents.providers.speech.espeak_ng import ESPEAK_NATURAL_RANGE_HZ
from agents.types import VoiceProfile

# Profiles with a median pitch above this are voiced with a female variant. Adult male
# speech centres around 85-155 Hz, female around 165-255 Hz.
FEMALE_PITCH_THRESHOLD_HZ = 160.0


def voice_settings_from_profile(profile: VoiceProfile, *, voice_id: str | None = None) -> VoiceSettings:
    """Settings that make an offline engine sound like the profiled speaker (rate, pitch)."""
    median = profile.pitch_median_hz or 0.0
    gender: Gender = "female" if median >= FEMALE_PITCH_THRESHOLD_HZ else "male"
    natural_range = ESPEAK_NATURAL_RANGE_HZ[gender]
    pitch_range = 50 if not profile.pitch_range_hz else int(round(50 * profile.pitch_range_hz / natural_range))
    return VoiceSettings(
        gender=gender,
        rate_wpm=float(np.clip(profile.words_per_minute or 165.0, 90.0, 260.0)),
        pitch_hz=median or None,
        pitch_range=int(np.clip(pitch_range, 0, 100)),
        voice_id=voice_id,
    )
