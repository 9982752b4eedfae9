"""A long recording transcribed window by window: windows cut at silences, words joined at the
seams once each, and the same transcript as one pass over the whole recording."""

from __future__ import annotations

import numpy as np
import pytest

from agents.audio.source import ArraySource, WavSource
from agents.providers.transcription.mel_floor import model_floored_at, recording_mel_max
from agents.providers.transcription.offline_whisper import OfflineWhisperTranscriber, WhisperOptions
from agents.providers.transcription.windows import Window, plan_windows, segments_within, shifted
from agents.testing.fixtures import session_bundle
from agents.testing.synth import wer
from agents.types import Segment, Word

RATE = 16_000


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    return session_bundle(tmp_path_factory.getbasetemp())


def _bursts(seconds: float, silences: list[tuple[float, float]]) -> np.ndarray:
    """A tone with silences at the given (start, end) seconds."""
    t = np.arange(int(seconds * RATE)) / RATE
    samples = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    for start, end in silences:
        samples[int(start * RATE) : int(end * RATE)] = 0.0
    return samples


def test_windows_cover_the_recording_and_end_in_its_silences() -> None:
    samples = _bursts(100.0, [(27.0, 27.6), (52.0, 52.5), (81.0, 81.8)])
    windows = plan_windows(ArraySource(samples, RATE), window_seconds=30.0, search_seconds=10.0)

    assert windows[0].start == 0 and windows[-1].stop == samples.size
    for before, after in zip(windows, windows[1:], strict=False):
        assert before.stop == after.start  # no gap, no overlap
        assert before.keep_until == after.keep_from == after.start / RATE
        assert np.abs(samples[before.stop - 80 : before.stop + 80]).max() == 0.0  # cut in a silence
    assert all(w.stop - w.start <= 30 * RATE for w in windows)
    silences = [(27.0, 27.6), (52.0, 52.5), (81.0, 81.8)]
    assert all(start < w.stop / RATE < end for w, (start, end) in zip(windows, silences, strict=False))
    assert len(windows) == 4


def test_a_short_recording_is_one_window() -> None:
    windows = plan_windows(ArraySource(_bursts(20.0, []), RATE), window_seconds=30.0)
    assert windows == [Window(0, 20 * RATE, -np.inf, np.inf)]


def _segment(words: list[tuple[str, float, float]]) -> Segment:
    timed = [Word(text, start, end, 0.9) for text, start, end in words]
    return Segment(0, timed[0].start, timed[-1].end, " ".join(w.text for w in timed), timed)


def test_seam_keeps_each_word_heard_in_both_overlapping_windows_once() -> None:
    # Two windows overlapping from 9 s to 11 s, the seam at 10 s: "three" and "four" are heard
    # by both, "four" straddles the seam by its start but its middle is after it.
    first = Window(0, 11 * RATE, -np.inf, 10.0)
    second = Window(9 * RATE, 20 * RATE, 10.0, np.inf)
    heard_first = [
        _segment([("one", 1.0, 1.5), ("two", 2.0, 2.5)]),
        _segment([("three", 9.2, 9.6), ("four", 9.9, 10.4), ("fi", 10.8, 11.0)]),
    ]
    heard_second = [
        _segment([("ree", 9.0, 9.1), ("three", 9.25, 9.6), ("four", 9.95, 10.4)]),
        _segment([("five", 10.8, 11.3), ("six", 12.0, 12.4)]),
    ]

    merged = segments_within(heard_first, first) + segments_within(heard_second, second)

    words = [w.text for s in merged for w in s.words]
    assert words == ["one", "two", "three", "four", "five", "six"]
    assert [s.text for s in merged] == ["one two", "three", "four", "five six"]
    starts = [w.start for s in merged for w in s.words]
    assert starts == sorted(starts)


def test_window_segments_are_timed_in_the_whole_recording() -> None:
    moved = shifted(_segment([("hello", 1.0, 1.4)]), 300.0)
    assert (moved.start, moved.end, moved.words[0].start, moved.words[0].end) == (301.0, 301.4, 301.0, 301.4)


def test_wav_source_reads_windows_with_silence_outside_the_recording(bundle) -> None:
    source = WavSource(bundle.decoded.wav_path)
    whole = source.read(0, source.size)
    assert source.sample_rate == RATE and whole.dtype == np.float32
    np.testing.assert_array_equal(source.read(RATE, 3 * RATE), whole[RATE : 3 * RATE])
    edge = source.read(source.size - 100, source.size + 50)
    np.testing.assert_array_equal(edge[:100], whole[-100:])
    assert not edge[100:].any()
    assert not source.read(-20, 0).any() and source.read(-20, 0).size == 20


@pytest.mark.slow
def test_windowed_transcript_matches_one_pass_over_the_whole_call(bundle) -> None:
    # Small windows on the minute-long sample call (one seam) against one window.
    whole = OfflineWhisperTranscriber(options=WhisperOptions(window_seconds=3600)).transcribe(bundle.decoded.wav_path)
    windowed = OfflineWhisperTranscriber(options=WhisperOptions(window_seconds=40)).transcribe(bundle.decoded.wav_path)

    difference = wer(whole.text, windowed.text)
    assert difference <= 0.05, f"{difference:.1%}:\n{whole.text}\n{windowed.text}"
    assert wer(bundle.call.text, windowed.text) < 0.12
    words = [w for s in windowed.segments for w in s.words]
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert windowed.duration == pytest.approx(whole.duration)


def test_window_features_are_floored_as_in_one_pass_over_the_recording() -> None:
    from faster_whisper.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor()
    # A quiet first half with digital silence in it, a loud second half: the first half's own
    # maximum is lower than the recording's, so on its own it would be floored higher.
    samples = _bursts(20.0, [(3.0, 4.0), (12.0, 13.0)])
    samples[: 10 * RATE] *= 0.05
    source = ArraySource(samples, RATE)
    whole = extractor(samples)
    first_half = (0, 10 * RATE)

    alone = extractor(samples[: first_half[1]])
    floored = model_floored_at(
        _Model(extractor), recording_mel_max(extractor, source, [first_half, (first_half[1], samples.size)])
    )
    as_in_whole = floored.feature_extractor(samples[: first_half[1]])

    inside = slice(0, 900)  # frames of the first half away from its edge
    assert not np.allclose(alone[:, inside], whole[:, inside], atol=1e-3)
    np.testing.assert_allclose(as_in_whole[:, inside], whole[:, inside], atol=1e-5)
    # With the input's own maximum it is faster-whisper's own computation.
    own = model_floored_at(_Model(extractor), recording_mel_max(extractor, source, [first_half]))
    np.testing.assert_allclose(own.feature_extractor(samples[: first_half[1]]), alone, atol=1e-5)


class _Model:
    def __init__(self, extractor) -> None:
        self.feature_extractor = extractor
