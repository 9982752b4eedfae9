"""Decoding and probing recordings with PyAV: every container an upload may be, and the bad
inputs upload validation must refuse by content."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from agents.audio.decode import (
    NoAudioStream,
    UnreadableMedia,
    decode_audio,
    load_audio,
    probe,
    read_wav,
)
from agents.testing.synth import (
    encode_recording,
    synthesize_call,
    write_text_as_mp4,
    write_video_without_audio,
)

pytestmark = pytest.mark.slow

SHORT_SCRIPT = (
    ("champion", "Thanks for joining the call today."),
    ("other", "Happy to be here. What did you want to show me?"),
)


@pytest.fixture(scope="session")
def short_call(tmp_path_factory: pytest.TempPathFactory):
    return synthesize_call(SHORT_SCRIPT, tmp_path_factory.mktemp("short") / "short.wav")


def _envelope(samples: np.ndarray, hop: int = 160) -> np.ndarray:
    usable = samples[: samples.size - samples.size % hop].reshape(-1, hop)
    return np.sqrt((usable**2).mean(axis=1))


@pytest.mark.parametrize(
    ("suffix", "video"),
    [
        (".mp4", True),
        (".mov", True),
        (".webm", True),
        (".mkv", False),
        (".m4a", False),
        (".ogg", False),
        (".mp3", False),
        (".wav", False),
    ],
)
def test_probe_and_decode_read_every_supported_container(short_call, tmp_path: Path, suffix: str, video: bool) -> None:
    recording = encode_recording(short_call.wav_path, tmp_path / f"call{suffix}", video=video)

    info = probe(recording)
    decoded = decode_audio(recording, tmp_path / "decoded.wav")

    assert info.has_audio
    assert info.has_video is video
    # Codec priming and frame padding add a few tens of milliseconds at most.
    assert info.duration == pytest.approx(short_call.duration, abs=0.15)
    assert decoded.sample_rate == 16_000
    assert decoded.duration == pytest.approx(short_call.duration, abs=0.15)
    with wave.open(decoded.wav_path) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (1, 16_000, 2)
    # The decoded speech follows the original: same loudness envelope, give or take the
    # codec's delay (AAC primes with 1024 samples).
    original, _ = read_wav(short_call.wav_path)
    samples, _ = read_wav(decoded.wav_path)
    a, b = _envelope(original), _envelope(samples)
    n = min(a.size, b.size) - 20
    best = max(np.corrcoef(a[10 : 10 + n], b[10 + lag : 10 + lag + n])[0, 1] for lag in range(-10, 11))
    assert best > 0.95


def test_browser_recorded_webm_without_a_duration_header_is_measured(short_call, tmp_path: Path) -> None:
    recording = encode_recording(short_call.wav_path, tmp_path / "browser.webm", seekable=False)
    with av.open(recording) as container:
        assert container.duration is None  # nothing to read from the header

    info = probe(recording)

    assert info.duration == pytest.approx(short_call.duration, abs=0.15)
    assert decode_audio(recording, tmp_path / "out.wav").duration == pytest.approx(short_call.duration, abs=0.15)


def test_decode_downmixes_stereo_and_resamples(tmp_path: Path) -> None:
    rate = 44_100
    t = np.arange(rate) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    right = 0.5 * np.sin(2 * np.pi * 660 * t)
    stereo = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    source = tmp_path / "stereo.wav"
    with wave.open(str(source), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(stereo.tobytes())

    decoded = decode_audio(source, tmp_path / "mono.wav")
    samples = load_audio(decoded.wav_path)

    assert decoded.duration == pytest.approx(1.0, abs=0.01)
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(samples.size, 1 / 16_000)
    peaks = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert peaks == pytest.approx([440, 660], abs=2)  # both channels are in the mix


def test_probe_refuses_a_text_file_named_mp4(tmp_path: Path) -> None:
    fake = write_text_as_mp4(tmp_path / "call.mp4")
    with pytest.raises(UnreadableMedia, match="not a readable"):
        probe(fake)


def test_probe_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableMedia, match="empty"):
        probe(empty)


def test_probe_refuses_a_truncated_recording(short_call, tmp_path: Path) -> None:
    full = Path(encode_recording(short_call.wav_path, tmp_path / "full.mp4", video=True))
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(full.read_bytes()[:600])
    with pytest.raises(UnreadableMedia):
        probe(truncated)


def test_probe_refuses_a_video_without_audio(tmp_path: Path) -> None:
    silent_video = write_video_without_audio(tmp_path / "screen.mp4")

    with pytest.raises(NoAudioStream, match="no audio track"):
        probe(silent_video)
    info = probe(silent_video, require_audio=False)
    assert (info.has_audio, info.has_video) == (False, True)
    assert issubclass(NoAudioStream, UnreadableMedia)  # one except clause covers both


def test_decode_leaves_no_wav_behind_when_there_is_no_audio(tmp_path: Path) -> None:
    silent_video = write_video_without_audio(tmp_path / "screen.mp4")
    target = tmp_path / "out.wav"
    with pytest.raises(NoAudioStream):
        decode_audio(silent_video, target)
    assert not target.exists()
