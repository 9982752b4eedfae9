"""Expensive test inputs built once per test session and shared by the test modules.

Synthesizing, encoding and transcribing the sample call takes a few seconds; each test
module declares a thin session fixture that calls :func:`sample_call_bundle` with the
session's base temp directory, and the cache here makes them all share one build.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

from agents.audio.decode import decode_audio
from agents.providers.transcription import OfflineWhisperTranscriber
from agents.testing.synth import SAMPLE_CALL, SynthesizedCall, synthesize_call, wav_to_mp4
from agents.types import DecodedAudio, Transcript


@dataclass(frozen=True)
class SampleCallBundle:
    call: SynthesizedCall  # the script's ground truth: text and turn timings
    mp4_path: str  # the call as an upload would arrive: AAC audio and a video track
    decoded: DecodedAudio  # the decode step's 16 kHz WAV
    transcript: Transcript  # the offline transcriber's output, speakers not yet assigned
    transcribe_seconds: float


@functools.cache
def sample_call_bundle(directory: str) -> SampleCallBundle:
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    call = synthesize_call(SAMPLE_CALL, root / "call.wav")
    mp4 = wav_to_mp4(call.wav_path, root / "call.mp4")
    decoded = decode_audio(mp4, root / "decoded.wav")
    transcriber = OfflineWhisperTranscriber()
    transcriber.load()  # model load and sha256 check are not transcription time
    started = time.perf_counter()
    transcript = transcriber.transcribe(decoded.wav_path)
    return SampleCallBundle(call, mp4, decoded, transcript, time.perf_counter() - started)


def session_bundle(base_temp: Path) -> SampleCallBundle:
    return sample_call_bundle(str(base_temp / "sample-call"))
