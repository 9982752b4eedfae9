"""Synthesized recordings for tests, the demo command and the benchmark.

A sales call is written as a script of (speaker, text) turns; each turn is spoken by the
offline synthesizer with that speaker's voice, the turns are joined with short pauses into
one 16 kHz WAV, and the true start and end of every turn are returned, so that the
transcript, the speaker attribution and the pattern timestamps can be scored against them
(:mod:`.calls`). The WAV can then be wrapped into an MP4 (AAC, optionally with a small video
track) the way a real upload arrives; bad inputs for upload validation are made there too
(:mod:`.containers`). Transcripts are scored by word error rate (:mod:`.scoring`).
"""

from __future__ import annotations

from agents.testing.synth.calls import (
    DEFAULT_VOICES,
    SAMPLE_CALL,
    SynthesizedCall,
    Turn,
    call_voices,
    loop_call,
    synthesize_call,
)
from agents.testing.synth.containers import (
    encode_recording,
    wav_to_mp4,
    write_silent_wav,
    write_text_as_mp4,
    write_video_without_audio,
)
from agents.testing.synth.scoring import wer, wer_by_speaker

__all__ = [
    "DEFAULT_VOICES",
    "SAMPLE_CALL",
    "SynthesizedCall",
    "Turn",
    "call_voices",
    "encode_recording",
    "loop_call",
    "synthesize_call",
    "wav_to_mp4",
    "wer",
    "wer_by_speaker",
    "write_silent_wav",
    "write_text_as_mp4",
    "write_video_without_audio",
]
