"""A speaker's voice sample: only their speech, joined by short pauses, cut at its limit."""

from __future__ import annotations

import numpy as np
import pytest

from agents.audio.voice.sample import speaker_sample
from agents.testing.signals import RATE, two_party_call


def test_speaker_sample_holds_only_that_speakers_speech_joined_by_short_pauses() -> None:
    samples, transcript = two_party_call()

    sample = speaker_sample(samples, transcript, speaker="champion", sample_rate=RATE)

    assert set(np.unique(sample)) == {0.0, 0.25}  # the buyer's 0.75 never gets in
    assert np.count_nonzero(sample) == pytest.approx((6 + 19) * RATE, abs=RATE // 100)
    # One pause between the two stretches, not the 5 s of the buyer's turn and silences.
    assert sample.size - np.count_nonzero(sample) == pytest.approx(0.3 * RATE, abs=RATE // 100)


def test_speaker_sample_stops_at_its_length_limit() -> None:
    samples, transcript = two_party_call()

    sample = speaker_sample(samples, transcript, speaker="champion", max_seconds=10.0, sample_rate=RATE)

    assert np.count_nonzero(sample) == 10 * RATE
    assert speaker_sample(samples, transcript, speaker="nobody", sample_rate=RATE).size == 0
