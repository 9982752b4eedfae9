"""Call metrics on hand-made transcripts: questions, fillers, pace, talk ratio, monologues."""

from __future__ import annotations

import pytest

from agents.audio.voice.metrics import call_metrics, count_fillers, count_questions
from agents.testing.signals import spoken_segment
from agents.types import Transcript


def test_count_fillers_counts_hesitations_not_ordinary_words() -> None:
    assert count_fillers("I like this plan and you know the price.") == {}
    counts = count_fillers("Um, so it's, like, a big change. Uh you know, we, um, need time. Basically, yes.")
    assert counts == {"um": 2, "uh": 1, "like": 1, "you know": 1, "basically": 1}


def test_count_questions() -> None:
    assert count_questions("How are you? Good. And the team?? Fine.") == 2


def test_call_metrics_of_a_known_transcript() -> None:
    transcript = Transcript(
        text="",
        language="en",
        duration=120.0,
        segments=[
            spoken_segment(0, 0.0, 6.0, "Hi there, how is your quarter going so far?", "champion"),
            spoken_segment(1, 7.0, 10.0, "Busy, um, very busy.", "other"),
            spoken_segment(
                2, 11.0, 20.0, "Um, I hear that. What is the biggest problem for the team right now?", "champion"
            ),
            spoken_segment(
                3, 20.5, 30.0, "So we built a way to practise real calls before meeting customers.", "champion"
            ),
            spoken_segment(4, 31.0, 40.0, "It is, like, too expensive for us at the moment I think.", "other"),
        ],
    )

    metrics = call_metrics(transcript)

    assert metrics.duration_seconds == 120.0
    assert metrics.question_count == 2
    assert metrics.questions_per_minute == pytest.approx(1.0)
    assert metrics.filler_words == 1  # the champion's "Um"; the buyer's fillers are not his
    assert metrics.filler_word_counts == {"um": 1}
    # Segments 2 and 3 are one monologue: 11.0 to 30.0.
    assert metrics.longest_monologue_seconds == pytest.approx(19.0)
    champion_words = 9 + 14 + 12
    # The champion speaks 0-6 and 11-30 (gaps under a second are bridged): 25 s.
    assert metrics.words_per_minute == pytest.approx(champion_words / (25.0 / 60.0), rel=1e-3)
    assert metrics.talk_ratio == pytest.approx(25.0 / (25.0 + 12.0), abs=1e-3)

    other = call_metrics(transcript, speaker="other")
    assert other.filler_word_counts == {"like": 1, "um": 1}
    assert other.talk_ratio == pytest.approx(12.0 / 37.0, abs=1e-3)


def test_call_metrics_without_speaker_turns_has_no_talk_ratio() -> None:
    transcript = Transcript(
        "",
        "en",
        30.0,
        [spoken_segment(0, 0.0, 5.0, "One two three four five six seven eight nine ten?", None)],
    )
    metrics = call_metrics(transcript)
    assert metrics.talk_ratio is None
    assert metrics.words_per_minute == pytest.approx(120.0)
    assert metrics.question_count == 1
