"""A long recording transcribed window by window, each window carrying on from the chunk where
the one before stopped, with the transcript of one pass over the whole recording."""

from __future__ import annotations

import numpy as np
import pytest

from agents.audio.source import ArraySource, WavSource
from agents.providers.transcription import offline_whisper
from agents.providers.transcription.chunk_log import ChunkLog, WindowFull, model_logging_chunks
from agents.providers.transcription.mel_floor import _log_mel, model_floored_at, recording_mel_max
from agents.providers.transcription.offline_whisper import OfflineWhisperTranscriber, WhisperOptions
from agents.providers.transcription.windows import (
    MIN_WINDOW_SECONDS,
    recording_blocks,
    window_at,
)
from agents.testing.fixtures import session_bundle
from agents.types import Transcript

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


def test_a_window_holds_a_chunk_only_with_the_audio_of_its_last_frame() -> None:
    window = window_at(0, 100 * RATE, window_seconds=45.0)
    assert (window.start, window.stop, window.lead, window.last) == (0, 45 * RATE, 0, False)
    # A chunk is 3000 frames (30 s); its last frame's STFT needs 200 samples past its start.
    assert window.fits(1498) and not window.fits(1499)
    last = window_at(0, 40 * RATE, window_seconds=45.0)
    assert last.last and last.stop == 40 * RATE and last.fits(3900)


def test_a_window_after_the_first_starts_a_second_before_its_seek() -> None:
    window = window_at(5000, 200 * RATE, window_seconds=60.0)
    assert window.lead == 100 and window.start == 4900 * 160
    assert window.offset == pytest.approx(49.0) and window.clip_start == 1.0
    assert window.stop == window.start + 60 * RATE
    assert window.recording_frame(100) == 5000  # decoding starts at the seek
    # Near the recording's start the lead is what there is.
    assert window_at(40, 200 * RATE, window_seconds=60.0).lead == 40


def test_a_window_too_short_for_one_chunk_is_refused() -> None:
    with pytest.raises(ValueError):
        window_at(0, 100 * RATE, window_seconds=MIN_WINDOW_SECONDS - 1)
    with pytest.raises(ValueError):
        WhisperOptions(window_seconds=20.0)
    with pytest.raises(ValueError):
        window_at(0, 100 * 8000, sample_rate=8000)


def test_recording_blocks_cover_the_recording_in_whole_frames() -> None:
    blocks = recording_blocks(95 * RATE + 7, window_seconds=30.005)
    assert blocks[0][0] == 0 and blocks[-1][1] == 95 * RATE + 7
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:], strict=False))
    assert all(start % 160 == 0 for start, _ in blocks)


def test_chunk_log_stops_the_loop_at_the_first_chunk_that_does_not_fit() -> None:
    log = ChunkLog(lambda seek: seek < 5000, last_speech=1.5)
    log.chunk_cut(100)
    log.chunk_prompted([1, 2])
    log.last_speech = 29.0
    log.chunk_cut(2900)
    log.chunk_prompted([1, 2, 3])
    assert log.cut is None
    log.chunk_cut(5200)
    with pytest.raises(WindowFull):
        log.chunk_prompted([1, 2, 3, 4])
    assert (log.cut.seek, log.cut.previous_tokens, log.cut.last_speech) == (5200, (1, 2, 3, 4), 29.0)
    assert [chunk.last_speech for chunk in log.chunks] == [1.5, 29.0, 29.0]
    with pytest.raises(RuntimeError):  # a prompt without a chunk cut first: the loop changed
        log.chunk_prompted([])


def test_watched_features_note_chunk_cuts_only() -> None:
    class Extractor:
        hop_length = 160

        def __call__(self, waveform, padding=160, chunk_length=None):
            return np.arange(80 * 500, dtype=np.float32).reshape(80, 500)

    class Model:
        feature_extractor = Extractor()

    log = ChunkLog(lambda seek: True)
    watched = model_logging_chunks(Model(), log)
    features = watched.feature_extractor(np.zeros(10, dtype=np.float32))
    assert watched.feature_extractor.hop_length == 160 and features.shape == (80, 500)
    language_part = features[..., 30:]  # language detection: not a chunk
    assert log._seek is None and type(language_part) is np.ndarray
    chunk = features[:, 120:420]
    assert log._seek == 120 and type(chunk) is np.ndarray
    np.testing.assert_array_equal(chunk, np.arange(80 * 500, dtype=np.float32).reshape(80, 500)[:, 120:420])


def test_window_features_are_the_whole_pass_features_to_the_bit() -> None:
    from faster_whisper.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor()
    # A quiet first half with digital silence in it, a loud second half: the first half's own
    # maximum is lower than the recording's, so on its own it would be floored higher.
    samples = _bursts(20.0, [(3.0, 4.0), (12.0, 13.0)])
    samples[: 10 * RATE] *= 0.05
    source = ArraySource(samples, RATE)
    whole = model_floored_at(_Model(extractor), None).feature_extractor(samples)
    # As faster-whisper computes them, but for the Mel product's summing order.
    np.testing.assert_allclose(whole, extractor(samples), atol=1e-6)
    blocks = recording_blocks(samples.size, window_seconds=7.0)
    mel_max = recording_mel_max(extractor, source, blocks)
    assert mel_max == float(_log_mel(extractor, samples).max())

    floored = model_floored_at(_Model(extractor), mel_max, 733).feature_extractor
    # Frames 733 to 1650, across a block of the Mel product; compared where their STFT does not
    # reach past the window's audio (the window's lead is there for that).
    window = floored(samples[733 * 160 : 1650 * 160])
    np.testing.assert_array_equal(window[:, 2:-3], whole[:, 735:1648])
    # In the quiet half, floored at its own maximum, a window's pauses are not the whole pass's.
    alone = extractor(samples[133 * 160 : 950 * 160])
    assert not np.allclose(alone[:, 2:-3], whole[:, 135:948], atol=1e-3)


class _Model:
    def __init__(self, extractor) -> None:
        self.feature_extractor = extractor


def test_wav_source_reads_windows_with_silence_outside_the_recording(bundle) -> None:
    source = WavSource(bundle.decoded.wav_path)
    whole = source.read(0, source.size)
    assert source.sample_rate == RATE and whole.dtype == np.float32
    np.testing.assert_array_equal(source.read(RATE, 3 * RATE), whole[RATE : 3 * RATE])
    edge = source.read(source.size - 100, source.size + 50)
    np.testing.assert_array_equal(edge[:100], whole[-100:])
    assert not edge[100:].any()
    assert not source.read(-20, 0).any() and source.read(-20, 0).size == 20


def _timed(transcript: Transcript) -> list[tuple]:
    return [(s.text, s.start, s.end, [(w.text, w.start, w.end) for w in s.words]) for s in transcript.segments]


@pytest.mark.slow
def test_windowed_transcript_is_the_whole_pass_word_for_word(bundle, monkeypatch) -> None:
    # The sample call (75 s) in the shortest windows, one chunk each, against one pass over it
    # (the bundle's transcript: the call is shorter than a default window).
    windows = []

    def noted_window_at(*args, **kwargs):
        windows.append(window_at(*args, **kwargs))
        return windows[-1]

    monkeypatch.setattr(offline_whisper, "window_at", noted_window_at)
    transcriber = OfflineWhisperTranscriber(options=WhisperOptions(window_seconds=MIN_WINDOW_SECONDS))
    windowed = transcriber.transcribe(bundle.decoded.wav_path)

    assert len(windows) >= 3 and windows[-1].last and not windows[0].last
    assert windowed.text == bundle.transcript.text
    # Timed in the recording, each word once: the seams are invisible.
    assert _timed(windowed) == _timed(bundle.transcript)
    starts = [w.start for s in windowed.segments for w in s.words]
    assert starts == sorted(starts) and starts[-1] > windows[-1].offset
    assert windowed.duration == pytest.approx(bundle.transcript.duration)


@pytest.mark.slow
def test_a_window_stops_at_the_chunk_its_end_cuts_where_the_whole_pass_starts_one(bundle) -> None:
    model = OfflineWhisperTranscriber().load()
    source = WavSource(bundle.decoded.wav_path)
    window = window_at(0, source.size, window_seconds=45.0)
    log = ChunkLog(window.fits)
    mel_max = recording_mel_max(model.feature_extractor, source, recording_blocks(source.size, window_seconds=45.0))
    watched = model_logging_chunks(model_floored_at(model, mel_max, 0), log)
    segments, _ = watched.transcribe(source.read(window.start, window.stop), language="en", word_timestamps=True)

    kept = []

    def decode() -> None:
        kept.extend(segments)  # a generator: decoding happens here

    with pytest.raises(WindowFull):
        decode()

    cut = log.cut
    assert cut is not None and not window.fits(cut.seek)
    # The whole pass up to its first segment from the chunk the window stopped at.
    whole = []
    whole_pass, _ = model_floored_at(model, None).transcribe(
        source.read(0, source.size), language="en", word_timestamps=True
    )
    for segment in whole_pass:
        whole.append(segment)
        if segment.seek >= cut.seek:
            break
    assert all(window.fits(chunk.seek) for chunk in log.chunks[:-1])
    # Only segments of chunks wholly inside the window, each the whole pass's to the token.
    assert kept and all(segment.seek < cut.seek for segment in kept)
    assert [(s.seek, s.tokens) for s in kept] == [(s.seek, s.tokens) for s in whole[: len(kept)]]
    # The next window starts where the whole pass's next chunk does, prompted as it is.
    next_chunk = whole[len(kept)]
    assert window_at(window.recording_frame(cut.seek), source.size).seek == next_chunk.seek == cut.seek
    assert all(s.temperature <= 0.5 for s in kept)  # no prompt reset: the prompt is all tokens so far
    assert list(cut.previous_tokens) == [token for s in kept for token in s.tokens]
    assert cut.last_speech == pytest.approx(kept[-1].words[-1].end)
