"""OpenAI's Whisper against a local server that speaks OpenAI's wire protocol."""

from __future__ import annotations

import io
import time
import wave
from pathlib import Path

import pytest

from agents.providers.errors import PermanentProviderError, TransientProviderError
from agents.providers.transcription.openai_whisper import OpenAITranscriber
from agents.testing.fixtures import session_bundle
from agents.testing.synth import write_silent_wav
from agents.testing.wire import LocalVendorServer, RecordedRequest, Reply

TRANSCRIPTIONS = r"/v1/audio/transcriptions"


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    return session_bundle(tmp_path_factory.getbasetemp())


def _verbose(duration: float, offset_words: float = 0.0) -> dict:
    """A verbose_json body shaped like OpenAI's: words and segments as separate lists."""
    return {
        "task": "transcribe",
        "language": "english",
        "duration": duration,
        "text": "Hi Sarah. How is your team handling onboarding?",
        "words": [
            {"word": "Hi", "start": 0.10, "end": 0.30},
            {"word": "Sarah", "start": 0.32, "end": 0.80},
            {"word": "How", "start": 1.50, "end": 1.70},
            {"word": "is", "start": 1.70, "end": 1.80},
            {"word": "your", "start": 1.80, "end": 2.00},
            {"word": "team", "start": 2.00, "end": 2.30},
            {"word": "handling", "start": 2.30, "end": 2.80},
            {"word": "onboarding", "start": 2.80, "end": 3.50},
        ],
        "segments": [
            {"id": 0, "seek": 0, "start": 0.0, "end": 1.0, "text": " Hi Sarah.", "tokens": [1, 2], "temperature": 0.0,
             "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01},
            {"id": 1, "seek": 0, "start": 1.4, "end": 3.6, "text": " How is your team handling onboarding?",
             "tokens": [3, 4], "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01},
        ],
        "usage": {"type": "duration", "seconds": 4},
    }  # fmt: skip


@pytest.fixture
def server():
    with LocalVendorServer() as running:
        yield running


@pytest.fixture
def short_wav(tmp_path: Path) -> str:
    return write_silent_wav(tmp_path / "call.wav", seconds=4.0)


def _openai(server: LocalVendorServer, **kwargs) -> OpenAITranscriber:
    return OpenAITranscriber(api_key="sk-test", base_url=f"{server.url}/v1", **{"timeout": 5.0, **kwargs})


def test_openai_request_and_response_on_the_wire(server: LocalVendorServer, short_wav: str) -> None:
    server.route("POST", TRANSCRIPTIONS, Reply.json(_verbose(4.0)))

    transcript = _openai(server).transcribe(short_wav)

    (request,) = server.requests
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.form["model"] == ["whisper-1"]
    assert request.form["response_format"] == ["verbose_json"]
    assert request.form["timestamp_granularities[]"] == ["word", "segment"]
    (upload,) = request.files["file"]
    assert upload.filename == "call.wav"
    assert upload.content == Path(short_wav).read_bytes()

    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(4.0)
    assert [s.text for s in transcript.segments] == ["Hi Sarah.", "How is your team handling onboarding?"]
    assert [w.text for w in transcript.segments[0].words] == ["Hi", "Sarah"]
    assert [w.text for w in transcript.segments[1].words][-1] == "onboarding"
    assert transcript.segments[1].words[0].start == pytest.approx(1.5)


def test_openai_rate_limit_is_retried_then_succeeds(server: LocalVendorServer, short_wav: str) -> None:
    server.route(
        "POST",
        TRANSCRIPTIONS,
        Reply.json({"error": {"message": "Rate limit reached", "type": "requests"}}, 429, {"retry-after-ms": "10"}),
        Reply.json(_verbose(4.0)),
    )

    transcript = _openai(server, max_retries=2).transcribe(short_wav)

    assert len(server.requests) == 2
    assert transcript.segments[0].text == "Hi Sarah."


def test_openai_server_error_until_give_up_is_transient(server: LocalVendorServer, short_wav: str) -> None:
    server.route(
        "POST", TRANSCRIPTIONS, Reply.json({"error": {"message": "overloaded"}}, 500, {"retry-after-ms": "10"})
    )

    with pytest.raises(TransientProviderError) as caught:
        _openai(server, max_retries=2).transcribe(short_wav)

    assert caught.value.status_code == 500
    assert len(server.requests) == 3  # the first try and max_retries retries


def test_openai_timeout_is_transient(server: LocalVendorServer, short_wav: str) -> None:
    server.route("POST", TRANSCRIPTIONS, Reply.json(_verbose(4.0), delay=5.0))

    started = time.monotonic()
    with pytest.raises(TransientProviderError, match="timed out"):
        _openai(server, timeout=0.5, max_retries=0).transcribe(short_wav)
    assert time.monotonic() - started < 3.0


def test_openai_refused_connection_is_transient(short_wav: str) -> None:
    with LocalVendorServer() as closed:
        url = closed.url
    transcriber = OpenAITranscriber(api_key="sk-test", base_url=f"{url}/v1", timeout=2.0, max_retries=0)
    with pytest.raises(TransientProviderError, match="connection"):
        transcriber.transcribe(short_wav)


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_openai_client_errors_are_permanent_and_not_retried(
    server: LocalVendorServer, short_wav: str, status: int
) -> None:
    server.route(
        "POST", TRANSCRIPTIONS, Reply.json({"error": {"message": "nope", "type": "invalid_request_error"}}, status)
    )

    with pytest.raises(PermanentProviderError) as caught:
        _openai(server, max_retries=2).transcribe(short_wav)

    assert caught.value.status_code == status
    assert len(server.requests) == 1


def _chunk_reply(request: RecordedRequest) -> Reply:
    """Answer each uploaded piece with one segment covering its length, as OpenAI would."""
    with wave.open(io.BytesIO(request.files["file"][0].content)) as piece:
        seconds = piece.getnframes() / piece.getframerate()
    return Reply.json(
        {
            "language": "english",
            "duration": seconds,
            "text": "piece",
            "words": [{"word": "piece", "start": 0.5, "end": seconds - 0.5}],
            "segments": [{"id": 0, "start": 0.0, "end": seconds, "text": " Piece."}],
        }
    )


@pytest.mark.slow
def test_openai_long_recordings_go_up_in_pieces_with_offset_timings(server: LocalVendorServer, bundle) -> None:
    server.route("POST", TRANSCRIPTIONS, _chunk_reply)

    transcript = _openai(server, chunk_seconds=20.0).transcribe(bundle.decoded.wav_path)

    uploads = [r.files["file"][0].content for r in server.requests]
    # 77 s in pieces of at most 20 s, each cut in a pause shortly before its limit.
    assert 4 <= len(uploads) <= 5
    lengths = []
    for content in uploads:
        with wave.open(io.BytesIO(content)) as piece:
            lengths.append(piece.getnframes() / piece.getframerate())
    assert max(lengths) <= 20.0
    assert sum(lengths) == pytest.approx(bundle.decoded.duration, abs=0.01)  # nothing lost
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert transcript.segments[-1].end == pytest.approx(bundle.decoded.duration, abs=0.01)
    # Each piece's words were shifted by the piece's start.
    for segment in transcript.segments:
        assert segment.start < segment.words[0].start < segment.end


def test_openai_request_carries_the_sanitised_prompt(server: LocalVendorServer, short_wav: str) -> None:
    server.route("POST", TRANSCRIPTIONS, Reply.json(_verbose(4.0)))

    _openai(server).transcribe(short_wav, prompt="Maya from\x00 FlowDesk.\u200b\n Daniel at Shopline.")

    (request,) = server.requests
    assert request.form["prompt"] == ["Maya from FlowDesk. Daniel at Shopline."]


def test_openai_request_without_a_context_sends_no_prompt(server: LocalVendorServer, short_wav: str) -> None:
    server.route("POST", TRANSCRIPTIONS, Reply.json(_verbose(4.0)))

    _openai(server).transcribe(short_wav, prompt=" \x00 ")

    (request,) = server.requests
    assert "prompt" not in request.form


def test_openai_every_piece_of_a_long_recording_gets_the_prompt(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", TRANSCRIPTIONS, _chunk_reply)
    long_wav = write_silent_wav(tmp_path / "long.wav", seconds=50.0)

    _openai(server, chunk_seconds=20.0).transcribe(long_wav, prompt="RouteWise")

    assert len(server.requests) == 3
    assert all(request.form["prompt"] == ["RouteWise"] for request in server.requests)
