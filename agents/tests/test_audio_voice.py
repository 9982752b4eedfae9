"""Voice profile and call metrics: signal measurements on known signals, transcript metrics
on hand-made transcripts, and the profile of a synthesized two-voice call."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents.audio.speakers import assign_speakers
from agents.audio.voice import (
    call_metrics,
    count_fillers,
    count_questions,
    frame_energy_db,
    pause_ratio,
    speaker_sample,
    track_pitch,
    transcribed_share,
    voice_profile,
)
from agents.testing.fixtures import session_bundle
from agents.types import Segment, Transcript, Word

RATE = 16_000


def _harmonic_tone(f0: float, seconds: float = 1.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    # A voice-like spectrum: harmonics falling off, so the pitch is not the loudest partial's.
    tone = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 8))
    return (amplitude * tone / np.max(np.abs(tone))).astype(np.float32)


@pytest.mark.parametrize("f0", [75.0, 110.0, 180.0, 240.0, 350.0])
def test_track_pitch_finds_the_fundamental(f0: float) -> None:
    pitch = track_pitch(_harmonic_tone(f0))
    voiced = pitch[~np.isnan(pitch)]
    assert voiced.size > 0.9 * pitch.size
    assert np.median(voiced) == pytest.approx(f0, rel=0.01)


def test_track_pitch_calls_silence_and_noise_unvoiced() -> None:
    silence = np.zeros(RATE, dtype=np.float32)
    noise = np.random.default_rng(7).normal(0, 0.2, RATE).astype(np.float32)
    assert np.isnan(track_pitch(silence)).all()
    assert np.isnan(track_pitch(noise)).mean() > 0.9


def test_pause_ratio_counts_only_silences_longer_than_a_quarter_second() -> None:
    tone = _harmonic_tone(150.0)
    gap_long = np.zeros(RATE, dtype=np.float32)  # 1 s: a pause
    gap_short = np.zeros(RATE // 10, dtype=np.float32)  # 100 ms: articulation, not a pause
    signal = np.concatenate([tone, gap_long, tone, gap_short, tone])
    energy = frame_energy_db(signal)
    ratio = pause_ratio(energy, np.ones(energy.size, dtype=bool))
    assert ratio == pytest.approx(1.0 / 4.1, abs=0.02)


def test_count_fillers_counts_hesitations_not_ordinary_words() -> None:
    assert count_fillers("I like this plan and you know the price.") == {}
    counts = count_fillers("Um, so it's, like, a big change. Uh you know, we, um, need time. Basically, yes.")
    assert counts == {"um": 2, "uh": 1, "like": 1, "you know": 1, "basically": 1}


def test_count_questions() -> None:
    assert count_questions("How are you? Good. And the team?? Fine.") == 2


def _segment(index: int, start: float, end: float, text: str, speaker: str | None) -> Segment:
    tokens = text.split()
    step = (end - start) / len(tokens)
    words = [Word(tok, start + i * step, start + (i + 1) * step) for i, tok in enumerate(tokens)]
    return Segment(index, start, end, text, words, speaker)


def test_call_metrics_of_a_known_transcript() -> None:
    transcript = Transcript(
        text="",
        language="en",
        duration=120.0,
        segments=[
            _segment(0, 0.0, 6.0, "Hi there, how is your quarter going so far?", "champion"),
            _segment(1, 7.0, 10.0, "Busy, um, very busy.", "other"),
            _segment(2, 11.0, 20.0, "Um, I hear that. What is the biggest problem for the team right now?", "champion"),
            _segment(3, 20.5, 30.0, "So we built a way to practise real calls before meeting customers.", "champion"),
            _segment(4, 31.0, 40.0, "It is, like, too expensive for us at the moment I think.", "other"),
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
        [_segment(0, 0.0, 5.0, "One two three four five six seven eight nine ten?", None)],
    )
    metrics = call_metrics(transcript)
    assert metrics.talk_ratio is None
    assert metrics.words_per_minute == pytest.approx(120.0)
    assert metrics.question_count == 1


@pytest.mark.slow
def _two_party_call() -> tuple[np.ndarray, Transcript]:
    """40 s: the champion speaks 0-6 s and 11-30 s, the buyer 7-10 s and 31-40 s. The samples
    are 0.25 where the champion speaks and 0.75 where the buyer does, so a sample of one
    voice can be checked value by value."""
    transcript = Transcript(
        text="",
        language="en",
        duration=40.0,
        segments=[
            _segment(0, 0.0, 6.0, "Hi there, how is your quarter going so far?", "champion"),
            _segment(1, 7.0, 10.0, "Busy, very busy.", "other"),
            _segment(2, 11.0, 30.0, "I hear that. What is the biggest problem for the team right now?", "champion"),
            _segment(3, 31.0, 40.0, "It is too expensive for us at the moment I think.", "other"),
        ],
    )
    samples = np.zeros(40 * RATE, dtype=np.float32)
    for segment in transcript.segments:
        samples[int(segment.start * RATE) : int(segment.end * RATE)] = 0.25 if segment.speaker == "champion" else 0.75
    return samples, transcript


def test_speaker_sample_holds_only_that_speakers_speech_joined_by_short_pauses() -> None:
    samples, transcript = _two_party_call()

    sample = speaker_sample(samples, transcript, speaker="champion", sample_rate=RATE)

    assert set(np.unique(sample)) == {0.0, 0.25}  # the buyer's 0.75 never gets in
    assert np.count_nonzero(sample) == pytest.approx((6 + 19) * RATE, abs=RATE // 100)
    # One pause between the two stretches, not the 5 s of the buyer's turn and silences.
    assert sample.size - np.count_nonzero(sample) == pytest.approx(0.3 * RATE, abs=RATE // 100)


def test_speaker_sample_stops_at_its_length_limit() -> None:
    samples, transcript = _two_party_call()

    sample = speaker_sample(samples, transcript, speaker="champion", max_seconds=10.0, sample_rate=RATE)

    assert np.count_nonzero(sample) == 10 * RATE
    assert speaker_sample(samples, transcript, speaker="nobody", sample_rate=RATE).size == 0


def test_transcribed_share_is_what_is_heard_inside_transcribed_speech() -> None:
    samples, transcript = _two_party_call()  # sound exactly where the four segments are
    assert transcribed_share(samples, transcript, sample_rate=RATE) == pytest.approx(1.0, abs=0.02)

    # Whisper lost the first half: only the last two turns (11-30 s and 31-40 s) became words.
    partial = dataclasses.replace(transcript, segments=transcript.segments[2:])
    heard = 6 + 3 + 19 + 9
    assert transcribed_share(samples, partial, sample_rate=RATE) == pytest.approx((19 + 9) / heard, abs=0.03)

    silent = np.zeros_like(samples)
    assert transcribed_share(silent, partial, sample_rate=RATE) == 1.0


def test_voice_profile_of_a_synthesized_call_is_plausible_per_speaker(tmp_path_factory: pytest.TempPathFactory) -> None:
    bundle = session_bundle(tmp_path_factory.getbasetemp())
    attributed = assign_speakers(bundle.transcript, bundle.decoded.wav_path).transcript

    champion = voice_profile(bundle.decoded.wav_path, attributed)
    other = voice_profile(bundle.decoded.wav_path, attributed, speaker="other")

    # The script's voices: a male champion (espeak-ng m3, ~105 Hz) and a female prospect
    # (f3, ~210 Hz); both at 160-165 words per minute.
    assert 85 < champion.pitch_median_hz < 130
    assert 180 < other.pitch_median_hz < 250
    assert 10 < champion.pitch_range_hz < 80
    assert -35 < champion.energy_mean_db < -8
    assert 130 < champion.words_per_minute < 200
    assert 0.0 <= champion.pause_ratio < 0.25

    metrics = call_metrics(attributed)
    assert metrics.question_count >= 4  # the script's champion asks five
    assert 0.5 < metrics.talk_ratio < 0.75  # ground truth: 61 % of speaking time
    assert 5 < metrics.longest_monologue_seconds < 20
