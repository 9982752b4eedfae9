"""Recordings synthesized by the tests themselves (espeak-ng → WAV → MP4 with PyAV)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.scripts import load_script
from agents.testing.synth import SynthesizedCall, encode_recording, synthesize_call, write_video_without_audio

# A short call with an opener, discovery, two objections with the champion's answers and a
# close: long enough for every step to have something to find, short enough for the suite.
SHORT_CALL_TURN_INDEXES = (0, 1, 4, 5, 6, 7, 15, 16, 17, 18, 22, 23, 24)


@dataclass(frozen=True)
class Recording:
    call: SynthesizedCall
    mp4: Path
    script_turns: list[tuple[str, str, str | None]]


@pytest.fixture(scope="session")
def short_call(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    script = load_script("saas_helpdesk")
    chosen = [script.turns[index] for index in SHORT_CALL_TURN_INDEXES]
    folder = tmp_path_factory.mktemp("short-call")
    call = synthesize_call([(t.speaker, t.text) for t in chosen], folder / "call.wav")
    mp4 = Path(encode_recording(call.wav_path, folder / "call.mp4", video=True))
    return Recording(call=call, mp4=mp4, script_turns=[(t.speaker, t.text, t.label) for t in chosen])


@pytest.fixture(scope="session")
def silent_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(write_video_without_audio(tmp_path_factory.mktemp("silent") / "silent.mp4"))
