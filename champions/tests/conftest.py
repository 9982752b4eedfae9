"""Recordings synthesized by the tests themselves (espeak-ng → WAV → MP4 with PyAV), and the
pipeline's registry with steps a test scripts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from agents.scripts import load_script
from agents.testing.synth import SynthesizedCall, encode_recording, synthesize_call, write_video_without_audio
from champions import pipeline
from champions.models import Champion
from champions.pipeline import steps

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


@dataclass
class ScriptedSteps:
    """The registry's steps (same names, labels and shares) with stand-in functions: each
    records that it ran, then does what the test set in ``actions`` (``finish`` runs the real
    one unless told otherwise, so that a run that gets there ends ready)."""

    calls: list[str] = field(default_factory=list)
    actions: dict[str, Callable[[Champion], None]] = field(default_factory=dict)

    def fail(self, name: str, exc: BaseException, *, times: int | None = None) -> None:
        """Step ``name`` raises ``exc`` (its first ``times`` runs only, when given)."""
        failures: list[int] = []

        def act(champion: Champion) -> None:
            failures.append(champion.pk)
            if times is None or len(failures) <= times:
                raise exc

        self.actions[name] = act

    def stand_in(self, name: str) -> Callable[[Champion], None]:
        def run(champion: Champion) -> None:
            self.calls.append(name)
            self.actions.get(name, pipeline.finish if name == "finish" else _nothing)(champion)

        return run


def _nothing(champion: Champion) -> None:
    return None


@pytest.fixture
def scripted_steps(monkeypatch: pytest.MonkeyPatch) -> ScriptedSteps:
    script = ScriptedSteps()
    monkeypatch.setattr(steps, "STEPS", tuple(replace(step, run=script.stand_in(step.name)) for step in steps.STEPS))
    return script
