"""The one WAV writer and reader: float or 16-bit samples in, mono 16-bit PCM out."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from agents.audio.wav import read_wav, wav_writer, write_wav


def _frames(path: str | Path) -> tuple[bytes, int, int, int]:
    with wave.open(str(path), "rb") as wav:
        return wav.readframes(wav.getnframes()), wav.getnchannels(), wav.getsampwidth(), wav.getframerate()


def test_float_samples_are_clipped_to_full_scale_and_written_as_16_bit(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "nested" / "float.wav", np.array([0.0, 0.5, -1.0, 2.0]), 16_000)

    frames, channels, width, rate = _frames(path)
    assert (channels, width, rate) == (1, 2, 16_000)
    assert np.frombuffer(frames, dtype="<i2").tolist() == [0, 16383, -32767, 32767]
    samples, read_rate = read_wav(path)
    assert read_rate == 16_000
    assert samples.dtype == np.float32 and samples[1] == 16383 / 32768


def test_16_bit_samples_are_written_as_they_are(tmp_path: Path) -> None:
    pcm = np.array([0, 1, -1, 32767, -32768], dtype=np.int16)

    frames, _, _, rate = _frames(write_wav(tmp_path / "pcm.wav", pcm, 22_050))

    assert rate == 22_050
    assert np.frombuffer(frames, dtype="<i2").tolist() == pcm.tolist()


def test_a_writer_without_a_rate_leaves_the_format_to_its_caller(tmp_path: Path) -> None:
    with wav_writer(tmp_path / "deep" / "own.wav") as out:
        out.setnchannels(2)
        out.setsampwidth(1)
        out.setframerate(8_000)
        out.writeframes(b"\x80\x80")

    assert _frames(tmp_path / "deep" / "own.wav")[1:] == (2, 1, 8_000)
