"""The test recordings' scoring: word error rate after Whisper's own normalisation."""

from __future__ import annotations

import pytest

from agents.testing.synth.scoring import wer


def test_wer_ignores_what_whispers_normalisation_ignores_and_counts_the_rest() -> None:
    assert wer("Hello, we are thirty people.", "hello we're 30 people") == 0.0
    # One substitution ("too" for "two") and one deletion ("pm") over six reference words.
    assert wer("Call me at two pm Tuesday", "call me at too tuesday") == pytest.approx(2 / 6)
    assert wer("yes", "") == 1.0 and wer("", "") == 0.0
