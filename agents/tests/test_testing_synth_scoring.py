"""The test recordings' scoring: word error rate after Whisper's own normalisation."""

from __future__ import annotations

import pytest

from agents.testing.synth.scoring import wer, wer_by_speaker


def test_wer_ignores_what_whispers_normalisation_ignores_and_counts_the_rest() -> None:
    assert wer("Hello, we are thirty people.", "hello we're 30 people") == 0.0
    # One substitution ("too" for "two") and one deletion ("pm") over six reference words.
    assert wer("Call me at two pm Tuesday", "call me at too tuesday") == pytest.approx(2 / 6)
    assert wer("yes", "") == 1.0 and wer("", "") == 0.0


def test_wer_by_speaker_charges_each_error_to_the_speaker_whose_words_were_missed() -> None:
    turns = [
        ("champion", "Hi Sarah, thanks for the call."),
        ("other", "It has been busy. We are hiring thirty people."),
    ]
    heard = "hi sarah thanks for the call it has been bizzy we are hiring 30 people extra"
    # The buyer: "busy" heard wrong, "extra" inserted after her last word; over her 9 words.
    assert wer_by_speaker(turns, heard) == {"champion": 0.0, "other": pytest.approx(2 / 9)}
    # An insertion at the start of the call counts against the first speaker.
    assert wer_by_speaker(turns, "well " + heard)["champion"] == pytest.approx(1 / 6)
    assert wer_by_speaker(turns, "") == {"champion": 1.0, "other": 1.0}
