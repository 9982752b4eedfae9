"""A clean sample of one speaker's voice, for a vendor's voice cloning."""

from __future__ import annotations

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource, audio_source
from agents.audio.voice.spans import segments_of, speech_spans
from agents.types import Transcript

# ElevenLabs' instant cloning asks for one to two minutes of clean speech; more does not help.
VOICE_SAMPLE_MAX_SECONDS = 120.0
# Silence between two stretches of speech in the sample: a natural pause, not a jump cut.
VOICE_SAMPLE_GAP_SECONDS = 0.3


def speaker_sample(
    audio: np.ndarray | AudioSource,
    transcript: Transcript,
    *,
    speaker: str | None,
    max_seconds: float = VOICE_SAMPLE_MAX_SECONDS,
    sample_rate: int = TARGET_SAMPLE_RATE,
) -> np.ndarray:
    """The speaker's own stretches of speech, in call order, joined by short pauses and cut at
    ``max_seconds``: a clean sample of one voice (for a vendor's voice cloning), without the
    other party's turns or the silences between them. Only those stretches are read."""
    source = audio_source(audio, sample_rate)
    gap = np.zeros(int(VOICE_SAMPLE_GAP_SECONDS * sample_rate), dtype=np.float32)
    budget = int(max_seconds * sample_rate)
    pieces: list[np.ndarray] = []
    taken = 0
    for start, end in speech_spans(segments_of(transcript, speaker), bridge=0.5):
        first = max(0, int(start * sample_rate))
        stop = min(source.size, int(end * sample_rate), first + budget - taken)
        piece = source.read(first, stop) if stop > first else np.zeros(0, dtype=np.float32)
        if piece.size:
            pieces.extend([piece.astype(np.float32), gap])
            taken += piece.size
        if taken >= budget:
            break
    return np.concatenate(pieces[:-1]) if pieces else np.zeros(0, dtype=np.float32)
