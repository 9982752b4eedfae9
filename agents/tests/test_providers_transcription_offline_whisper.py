"""The offline Whisper measured on a synthesized call, and its pinned model."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.providers.errors import PermanentProviderError
from agents.providers.transcription.offline_whisper import ModelIntegrityError, OfflineWhisperTranscriber
from agents.testing.fixtures import linked_whisper_model_copy, session_bundle
from agents.testing.synth import wer, write_silent_wav


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    return session_bundle(tmp_path_factory.getbasetemp())


@pytest.mark.slow
def test_offline_whisper_transcribes_a_synthesized_call_accurately(bundle) -> None:
    transcript = bundle.transcript

    error_rate = wer(bundle.call.text, transcript.text)
    # Measured 4-7 % with tiny.en on espeak-ng speech (robotic, harder than a person);
    # the bound leaves room for CPU-dependent numeric differences of int8 decoding.
    assert error_rate < 0.12, f"WER {error_rate:.1%}: {transcript.text}"
    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(bundle.decoded.duration, abs=0.05)


@pytest.mark.slow
def test_offline_word_timings_are_ordered_and_inside_the_recording(bundle) -> None:
    transcript = bundle.transcript
    words = [w for s in transcript.segments for w in s.words]
    assert len(words) > 0.8 * len(bundle.call.text.split())
    previous_start = 0.0
    for segment in transcript.segments:
        assert segment.text
        assert 0.0 <= segment.start <= segment.end <= transcript.duration
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
            assert word.start >= previous_start
            previous_start = word.start
    # Words land where the script put them: every scripted turn's first word starts within
    # a second of the turn.
    starts = [w.start for w in words]
    for turn in bundle.call.turns:
        assert min(abs(s - turn.start) for s in starts) < 1.0


@pytest.mark.slow
def test_offline_whisper_finds_no_words_in_silence(tmp_path: Path) -> None:
    silent = write_silent_wav(tmp_path / "silence.wav", seconds=3.0)
    transcript = OfflineWhisperTranscriber().transcribe(silent)
    assert len(transcript.text.split()) <= 2  # Whisper may hallucinate a "you"; never a call


def test_offline_model_is_loaded_once_per_process() -> None:
    first = OfflineWhisperTranscriber().load()
    second = OfflineWhisperTranscriber().load()
    assert first is second


def test_offline_model_with_wrong_checksum_is_refused(tmp_path: Path) -> None:
    model_dir = linked_whisper_model_copy(tmp_path / "model")
    transcriber = OfflineWhisperTranscriber(model_path=model_dir, expected_sha256="0" * 64)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        transcriber.load()
    assert issubclass(ModelIntegrityError, PermanentProviderError)  # never retried


def test_offline_model_path_without_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PermanentProviderError, match="model.bin missing"):
        OfflineWhisperTranscriber(model_path=tmp_path).load()
