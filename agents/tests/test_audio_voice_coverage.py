"""How much of what is heard was transcribed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents.audio.voice.coverage import transcribed_share
from agents.testing.signals import RATE, two_party_call


def test_transcribed_share_is_what_is_heard_inside_transcribed_speech() -> None:
    samples, transcript = two_party_call()  # sound exactly where the four segments are
    assert transcribed_share(samples, transcript, sample_rate=RATE) == pytest.approx(1.0, abs=0.02)

    # Whisper lost the first half: only the last two turns (11-30 s and 31-40 s) became words.
    partial = dataclasses.replace(transcript, segments=transcript.segments[2:])
    heard = 6 + 3 + 19 + 9
    assert transcribed_share(samples, partial, sample_rate=RATE) == pytest.approx((19 + 9) / heard, abs=0.03)

    silent = np.zeros_like(samples)
    assert transcribed_share(silent, partial, sample_rate=RATE) == 1.0
