"""Files the attacks upload, made on the fly (nothing is committed): a plain tone, files that
only pretend to be audio, and recordings whose header lies about their length."""

from __future__ import annotations

import io
import struct
import tempfile
import wave
import zipfile
from pathlib import Path

import av
import numpy as np

# Matroska's Segment Info "Duration" element: ID 0x4489, an 8-byte float (size byte 0x88), in
# TimecodeScale units (FFmpeg writes the default, 1 ms).
_MKV_DURATION = b"\x44\x89\x88"
_FLAC_BLOCK = 4608


def tone_wav(seconds: float = 6.0, rate: int = 16_000) -> bytes:
    """A real, decodable recording: a 440 Hz tone, long enough for the 5 s minimum."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    return _wav(samples.tobytes(), rate)


def zero_frames_wav(rate: int = 16_000) -> bytes:
    """A well-formed WAV header holding no audio at all (a 0-second recording)."""
    return _wav(b"", rate)


def _wav(frames: bytes, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def jpeg() -> bytes:
    """A real JPEG image (one 16×16 frame through FFmpeg's JPEG encoder)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mjpeg") as out:
        stream = out.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuvj420p"
        frame = av.VideoFrame.from_ndarray(np.full((16, 16, 3), 200, dtype=np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("call.wav", tone_wav(1.0))
        archive.writestr("../../evil.sh", "#!/bin/sh\necho owned\n")
    return buffer.getvalue()


def html_page() -> bytes:
    return b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def lying_flac_mkv(real_seconds: float, claimed_seconds: float, *, rate: int = 8_000) -> bytes:
    """Matroska holding ``real_seconds`` of 8 kHz FLAC silence whose header says it lasts
    ``claimed_seconds``: silence compresses to a few bytes a frame, so 3 hours fit in ~3 MB.
    Raises RuntimeError when the header could not be made to lie (then the attack says so)."""
    with tempfile.TemporaryDirectory(prefix="attack-bomb-") as scratch:
        path = Path(scratch) / "bomb.mkv"
        _write_silent_flac_mkv(path, real_seconds, rate)
        data = bytearray(path.read_bytes())
    at = data.find(_MKV_DURATION)
    if at < 0:
        raise RuntimeError("no Matroska Duration element to rewrite")
    data[at + 3 : at + 11] = struct.pack(">d", claimed_seconds * 1000.0)
    _rewrite_duration_tag(data, real_seconds, claimed_seconds)
    claimed = _declared_seconds(bytes(data))
    if abs(claimed - claimed_seconds) > 0.5:
        raise RuntimeError(f"the rewritten header says {claimed:.1f} s, not {claimed_seconds:g} s")
    return bytes(data)


def _write_silent_flac_mkv(path: Path, seconds: float, rate: int) -> None:
    silence = np.zeros((1, _FLAC_BLOCK), dtype=np.int16)
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("flac", rate=rate)
        stream.layout = "mono"
        for index in range(int(seconds * rate) // _FLAC_BLOCK):
            frame = av.AudioFrame.from_ndarray(silence, format="s16", layout="mono")
            frame.sample_rate, frame.pts = rate, index * _FLAC_BLOCK
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _clock(seconds: float) -> bytes:
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{rest:012.9f}".encode()


def _rewrite_duration_tag(data: bytearray, real_seconds: float, claimed_seconds: float) -> None:
    """FFmpeg also writes the length as a per-track DURATION tag: make it agree with the lie."""
    real, claimed = _clock(real_seconds), _clock(claimed_seconds)
    at = data.find(real)
    if at >= 0 and len(real) == len(claimed):
        data[at : at + len(real)] = claimed


def _declared_seconds(data: bytes) -> float:
    """What a reader that trusts the header (PyAV's container duration) believes."""
    with av.open(io.BytesIO(data)) as container:
        return (container.duration or 0) / av.time_base
