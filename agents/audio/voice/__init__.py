"""Voice profile and call metrics, computed with numpy from the decoded audio and the transcript.

Everything is deterministic arithmetic on the samples and the word timings, so the same
recording always yields the same numbers:

- :mod:`.frames` and :mod:`.pitch`: the signal per 10 ms hop (level, speech level, YIN pitch),
  shared with :mod:`agents.audio.speakers`;
- :mod:`.spans` and :mod:`.metrics`: when a speaker talks, and the call metrics of their turns;
- :mod:`.profile`: how a speaker's voice sounds (pitch, level, pace, pauses);
- :mod:`.sample`: a clean sample of one voice for a vendor's voice cloning;
- :mod:`.coverage`: how much of what is heard was transcribed.
"""

from __future__ import annotations

from agents.audio.voice.coverage import COVERAGE_SLACK_SECONDS, SOUND_WITHIN_DB, transcribed_share
from agents.audio.voice.frames import (
    HOP_SECONDS,
    MIN_PAUSE_SECONDS,
    SILENCE_BELOW_SPEECH_DB,
    frame_count,
    frame_energy_db,
    gather_frames,
    speech_level_db,
)
from agents.audio.voice.metrics import (
    CONTEXTUAL_FILLERS,
    FILLER_WORDS,
    MONOLOGUE_BRIDGE_SECONDS,
    call_metrics,
    count_fillers,
    count_questions,
    longest_monologue,
)
from agents.audio.voice.pitch import (
    PITCH_MAX_HZ,
    PITCH_MIN_HZ,
    PITCH_WINDOW_SECONDS,
    YIN_THRESHOLD,
    level_and_pitch,
    track_pitch,
)
from agents.audio.voice.profile import pause_ratio, voice_profile
from agents.audio.voice.sample import VOICE_SAMPLE_GAP_SECONDS, VOICE_SAMPLE_MAX_SECONDS, speaker_sample
from agents.audio.voice.spans import SPEECH_BRIDGE_SECONDS, speaking_seconds

__all__ = [
    "CONTEXTUAL_FILLERS",
    "COVERAGE_SLACK_SECONDS",
    "FILLER_WORDS",
    "HOP_SECONDS",
    "MIN_PAUSE_SECONDS",
    "MONOLOGUE_BRIDGE_SECONDS",
    "PITCH_MAX_HZ",
    "PITCH_MIN_HZ",
    "PITCH_WINDOW_SECONDS",
    "SILENCE_BELOW_SPEECH_DB",
    "SOUND_WITHIN_DB",
    "SPEECH_BRIDGE_SECONDS",
    "VOICE_SAMPLE_GAP_SECONDS",
    "VOICE_SAMPLE_MAX_SECONDS",
    "YIN_THRESHOLD",
    "call_metrics",
    "count_fillers",
    "count_questions",
    "frame_count",
    "frame_energy_db",
    "gather_frames",
    "longest_monologue",
    "pause_ratio",
    "speaker_sample",
    "speaking_seconds",
    "speech_level_db",
    "level_and_pitch",
    "track_pitch",
    "transcribed_share",
    "voice_profile",
]
