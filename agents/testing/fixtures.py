"""Test inputs shared by the test modules, the expensive ones built once per test session.

Synthesizing, encoding and transcribing the sample call takes a few seconds; each test
module declares a thin session fixture that calls :func:`sample_call_bundle` with the
session's base temp directory, and the cache here makes them all share one build.
:func:`hard_scenario_and_patterns` is what the prospect and the coach are tested on.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

from agents.audio.decode import decode_audio
from agents.providers.transcription import OfflineWhisperTranscriber, bundled_model_path
from agents.reasoning.evaluation import script_patterns
from agents.reasoning.scenarios import generate_scenarios_offline
from agents.scripts import load_script, transcript_from_script
from agents.testing.synth import SAMPLE_CALL, SynthesizedCall, synthesize_call, wav_to_mp4
from agents.types import CallMetrics, DecodedAudio, Pattern, ScenarioSpec, Transcript


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


def hard_scenario_and_patterns(script_name: str) -> tuple[ScenarioSpec, list[Pattern]]:
    """The hard scenario of a labelled call (every objection, in call order) and the offline
    extractor's patterns of that call."""
    transcript = transcript_from_script(load_script(script_name))
    patterns = script_patterns(script_name)
    metrics = CallMetrics(transcript.duration, 150.0, 1.0, 0, 0.0, 20.0, 0.5, 6)
    scenarios = generate_scenarios_offline(patterns, transcript, metrics)
    return next(s for s in scenarios if s.difficulty == "hard"), patterns


def linked_whisper_model_copy(target: Path) -> Path:
    """A second model directory made of symlinks to the bundled files (no 75 MB copy)."""
    target.mkdir()
    for item in bundled_model_path().iterdir():
        (target / item.name).symlink_to(item)
    return target


def call_metrics_with(duration: float, **overrides: object) -> CallMetrics:
    """Plausible metrics of a call of ``duration`` seconds, with ``overrides`` by field name."""
    values: dict[str, object] = {
        "duration_seconds": duration,
        "words_per_minute": 150.0,
        "questions_per_minute": 1.2,
        "filler_words": 1,
        "filler_words_per_minute": 0.4,
        "longest_monologue_seconds": 18.0,
        "talk_ratio": 0.5,
        "question_count": 6,
    }
    values.update(overrides)
    return CallMetrics(**values)  # type: ignore[arg-type]
