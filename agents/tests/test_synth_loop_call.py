"""A long benchmark call made by looping a short one, a repetition at a time."""

from __future__ import annotations

import numpy as np
import pytest

from agents.audio.decode import read_wav, write_wav
from agents.testing.synth import SynthesizedCall, Turn, loop_call

RATE = 16_000


def test_loop_call_repeats_the_turns_within_the_length(tmp_path) -> None:
    samples = np.zeros(10 * RATE, dtype=np.float32)
    samples[1 * RATE : 4 * RATE] = 0.5
    samples[6 * RATE : 9 * RATE] = -0.5
    short = SynthesizedCall(
        write_wav(tmp_path / "short.wav", samples, RATE),
        10.0,
        RATE,
        [Turn("champion", "hello there", 1.0, 4.0), Turn("other", "hi", 6.0, 9.0)],
    )

    looped = loop_call(short, tmp_path / "long.wav", 26.0)

    heard, rate = read_wav(looped.wav_path)
    assert rate == RATE and heard.size / RATE == pytest.approx(looped.duration)
    assert looped.duration <= 26.0
    # Two whole repetitions (10 s and a pause each), then the third cut after its first turn.
    assert [t.speaker for t in looped.turns] == ["champion", "other", "champion", "other", "champion"]
    second_start = looped.turns[2].start
    assert 10.4 <= second_start - 1.0 <= 11.0
    for turn in looped.turns:
        inside = heard[int(turn.start * RATE) + 10 : int(turn.end * RATE) - 10]
        assert np.abs(inside).min() > 0.4  # the turn's own samples, at a slightly changed level
    assert len({round(float(np.abs(heard[int(t.start * RATE) + 10])), 3) for t in looped.turns[::2]}) > 1
