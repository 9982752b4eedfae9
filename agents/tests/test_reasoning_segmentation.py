"""Utterances from a transcript: cut at long pauses, speaker changes and end punctuation."""

from __future__ import annotations

from agents.reasoning.segmentation import utterances_from_transcript
from agents.types import Segment, Transcript, Word


def _words(text: str, start: float, step: float = 0.3) -> list[Word]:
    return [Word(text=f" {t}", start=start + i * step, end=start + i * step + 0.25) for i, t in enumerate(text.split())]


def test_segmentation_cuts_at_long_pauses_speaker_changes_and_end_punctuation():
    first = _words("so how does your team plan the week", 0.0)
    second = _words("and who approves it", first[-1].end + 1.5)  # a long pause, no punctuation
    answer = _words("We use a spreadsheet. It is slow.", second[-1].end + 0.4)
    transcript = Transcript(
        text="",
        language="en",
        duration=answer[-1].end,
        segments=[
            Segment(id=0, start=0.0, end=second[-1].end, text="", words=first + second, speaker="champion"),
            Segment(id=1, start=answer[0].start, end=answer[-1].end, text="", words=answer, speaker="other"),
        ],
    )

    utterances = utterances_from_transcript(transcript)

    assert [u.text for u in utterances] == [
        "so how does your team plan the week",
        "and who approves it",
        "We use a spreadsheet.",
        "It is slow.",
    ]
    assert [u.turn for u in utterances] == [0, 0, 1, 1]
    assert utterances[1].start == second[0].start


def test_segments_without_word_timings_are_spread_over_the_segment():
    transcript = Transcript(
        text="Hello there. How are you?",
        language="en",
        duration=4.0,
        segments=[Segment(id=0, start=0.0, end=4.0, text="Hello there. How are you?", speaker=None)],
    )
    utterances = utterances_from_transcript(transcript)

    assert [u.text for u in utterances] == ["Hello there.", "How are you?"]
    assert utterances[0].start == 0.0
    assert utterances[1].end == 4.0
