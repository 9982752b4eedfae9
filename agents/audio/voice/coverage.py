"""How much of what is heard in a recording became words in its transcript."""

from __future__ import annotations

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource
from agents.audio.voice.frames import frame_energy_db, frames_in_spans, speech_level_db
from agents.audio.voice.spans import speech_spans
from agents.types import Transcript

# Sound within this many dB of the recording's speech level counts as someone talking (or
# music): quieter frames are room tone and breaths.
SOUND_WITHIN_DB = 20.0
# Word timings hug the words; this much slack around them before a loud frame counts as missed.
COVERAGE_SLACK_SECONDS = 0.5


def transcribed_share(
    audio: np.ndarray | AudioSource,
    transcript: Transcript,
    *,
    sample_rate: int = TARGET_SAMPLE_RATE,
    energy: np.ndarray | None = None,
) -> float:
    """Share of the recording's loud frames that fall inside transcribed speech.

    Near 1 for a clear call. Low when most of what is heard never became words (overlapping
    voices, music, a language the model does not know): the playbook then comes from part of
    the call only, which the user should be told. 1.0 for a recording with no sound at all.
    ``energy`` is the recording's :func:`frame_energy_db` when the caller has it already.
    """
    energy = frame_energy_db(audio, sample_rate) if energy is None else energy
    # -100 dB is digital silence (frame_energy_db's floor), never sound.
    loud = (energy > -99.0) & (energy > speech_level_db(energy) - SOUND_WITHIN_DB)
    if not loud.any():
        return 1.0
    spans = speech_spans(transcript.segments)
    slack = COVERAGE_SLACK_SECONDS
    covered = frames_in_spans(((start - slack, end + slack) for start, end in spans), energy.size)
    return float((loud & covered).sum() / loud.sum())
