"""ElevenLabs against a local server that speaks its wire protocol: speech, retries, errors, voice clones."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from agents.audio.decode import read_wav
from agents.providers import speech
from agents.providers.errors import PermanentProviderError, TransientProviderError
from agents.providers.speech.base import CHAMPION_VOICE, PROSPECT_VOICE, VoiceSettings
from agents.providers.speech.elevenlabs_api import ElevenLabsSynthesizer
from agents.testing.signals import median_pitch, wav_seconds
from agents.testing.synth import encode_recording
from agents.testing.wire import LocalVendorServer, Reply

TTS = r"/v1/text-to-speech/[^/]+"


@pytest.fixture
def server():
    with LocalVendorServer() as running:
        yield running


def _pcm_second(rate: int = 22_050) -> bytes:
    t = np.arange(rate) / rate
    return (0.3 * np.sin(2 * np.pi * 180 * t) * 32767).astype("<i2").tobytes()


def _eleven(server: LocalVendorServer, **kwargs) -> ElevenLabsSynthesizer:
    return ElevenLabsSynthesizer(api_key="xi-test", base_url=server.url, **{"timeout": 5.0, **kwargs})


def test_elevenlabs_request_and_audio_on_the_wire(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", TTS, Reply(200, _pcm_second(), {"content-type": "audio/pcm"}))
    voice = VoiceSettings(gender="female", rate_wpm=176.0, voice_id="champion-clone-7")

    wav = _eleven(server).synthesize("Hello there.", voice, tmp_path / "out.wav")

    (request,) = server.requests
    assert request.path == "/v1/text-to-speech/champion-clone-7"
    assert "output_format=pcm_22050" in request.query
    assert request.headers["xi-api-key"] == "xi-test"
    body = request.json()
    assert body["text"] == "Hello there."
    assert body["model_id"] == "eleven_multilingual_v2"
    assert body["voice_settings"]["speed"] == pytest.approx(1.1)
    samples, rate = read_wav(wav)
    assert (rate, samples.size) == (22_050, 22_050)
    assert median_pitch(wav) == pytest.approx(180, rel=0.02)


def test_elevenlabs_without_a_clone_uses_a_premade_voice_per_gender(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", TTS, Reply(200, _pcm_second()))
    _eleven(server).synthesize("Hi.", PROSPECT_VOICE, tmp_path / "a.wav")
    _eleven(server).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "b.wav")
    assert [r.path.rsplit("/", 1)[1] for r in server.requests] == [
        speech.ELEVENLABS_DEFAULT_VOICES["female"],
        speech.ELEVENLABS_DEFAULT_VOICES["male"],
    ]


def test_elevenlabs_mp3_answer_is_decoded_to_wav(server: LocalVendorServer, tmp_path: Path) -> None:
    source = tmp_path / "tone.wav"
    with wave.open(str(source), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22_050)
        out.writeframes(_pcm_second())
    mp3 = Path(encode_recording(source, tmp_path / "tone.mp3")).read_bytes()
    server.route("POST", TTS, Reply(200, mp3, {"content-type": "audio/mpeg"}))

    wav = _eleven(server).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "out.wav")

    assert wav_seconds(wav) == pytest.approx(1.0, abs=0.1)
    assert median_pitch(wav) == pytest.approx(180, rel=0.02)


def test_elevenlabs_rate_limit_is_retried_then_succeeds(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route(
        "POST",
        TTS,
        Reply.json({"detail": {"status": "too_many_concurrent_requests"}}, 429, {"retry-after": "0"}),
        Reply(200, _pcm_second()),
    )
    wav = _eleven(server, max_retries=2).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "out.wav")
    assert len(server.requests) == 2
    assert wav_seconds(wav) == pytest.approx(1.0)


def test_elevenlabs_server_error_until_give_up_is_transient(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", TTS, Reply.json({"detail": "internal error"}, 500, {"retry-after": "0"}))
    with pytest.raises(TransientProviderError) as caught:
        _eleven(server, max_retries=2).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "out.wav")
    assert caught.value.status_code == 500
    assert len(server.requests) == 3


def test_elevenlabs_timeout_is_transient(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", TTS, Reply(200, _pcm_second(), delay=5.0))
    started = time.monotonic()
    with pytest.raises(TransientProviderError, match="timed out"):
        _eleven(server, timeout=0.5, max_retries=0).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "out.wav")
    assert time.monotonic() - started < 3.0


def test_elevenlabs_bad_key_is_permanent(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", TTS, Reply.json({"detail": {"status": "invalid_api_key"}}, 401))
    with pytest.raises(PermanentProviderError) as caught:
        _eleven(server).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "out.wav")
    assert caught.value.status_code == 401
    assert len(server.requests) == 1


def test_elevenlabs_voice_clone_uploads_the_champions_samples(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route("POST", r"/v1/voices/add", Reply.json({"voice_id": "clone-42", "requires_verification": False}))
    sample = tmp_path / "champion.wav"
    sample.write_bytes(b"RIFF-sample-bytes")

    voice_id = _eleven(server).clone_voice("Champion Jane", [sample])

    assert voice_id == "clone-42"
    (request,) = server.requests
    assert request.form["name"] == ["Champion Jane"]
    assert request.files["files"][0].content == b"RIFF-sample-bytes"


def test_elevenlabs_deletes_a_voice_clone_and_a_missing_one_counts_as_deleted(server: LocalVendorServer) -> None:
    server.route(
        "DELETE",
        r"/v1/voices/(clone-42|gone-7|revoked-1)",
        Reply.json({"status": "ok"}),
        Reply.json({"detail": {"status": "voice_not_found"}}, status=404),
        Reply.json({"detail": {"status": "invalid_api_key"}}, status=401),
    )
    engine = _eleven(server)

    engine.delete_voice("clone-42")
    engine.delete_voice("gone-7")  # the 404: already deleted
    with pytest.raises(PermanentProviderError) as caught:
        engine.delete_voice("revoked-1")

    assert [r.path for r in server.requests] == ["/v1/voices/clone-42", "/v1/voices/gone-7", "/v1/voices/revoked-1"]
    assert caught.value.status_code == 401
