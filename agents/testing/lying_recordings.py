"""Recordings that lie about their length, for the tests and the benchmark of the decode limits.

A Matroska file of 8 kHz mono FLAC whose header declares a few seconds while its packets decode
to hours: the decompression bomb an attacker uploads to make the server decode (and keep)
far more audio than any limit allows. It is built the way such a file is made by hand: a
couple of FLAC frames are encoded once and muxed again and again with advancing timestamps
(so three hours cost a second to write), then the Segment Info's Duration is overwritten with
the short one. Nothing here is committed as a file: every test makes its own.
"""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 8_000
FRAME_SAMPLES = 4_096  # FLAC's own block at 8 kHz is 576 samples; bombs use longer ones
LONGEST_FRAME = 65_535  # FLAC's longest block: 8 s of audio in some 20 bytes

# Matroska's Segment Info Duration element: its ID, then a one-byte size of 8 (a 64-bit float
# follows, in TimecodeScale units: milliseconds, ffmpeg's default).
_DURATION_ELEMENT = b"\x44\x89\x88"


def _encoded_frames(stream: av.audio.stream.AudioStream, samples: int) -> tuple[bytes, bytes]:
    """One silent FLAC frame (a few bytes) and one of quiet noise (under a kilobyte for 4096
    samples): mixing them sets the file's size for any decoded length."""
    noise = np.random.default_rng(7).normal(0, 2.0, samples)
    signals = [np.zeros(samples), noise, np.zeros(samples)]
    packets: list[bytes] = []
    for index, signal in enumerate(signals):
        frame = av.AudioFrame.from_ndarray(signal.astype("<i2").reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, index * samples, Fraction(1, SAMPLE_RATE)
        packets.extend(bytes(packet) for packet in stream.encode(frame))
    packets.extend(bytes(packet) for packet in stream.encode(None))
    if len(packets) < 2:
        raise RuntimeError("the FLAC encoder returned fewer frames than it was given")
    return packets[0], packets[1]


def write_lying_recording(
    path: str | Path,
    *,
    true_seconds: float,
    declared_seconds: float = 10.0,
    size_bytes: int | None = None,
    frame_samples: int = FRAME_SAMPLES,
) -> str:
    """Write a Matroska/FLAC file that decodes to ``true_seconds`` of audio and declares
    ``declared_seconds`` in its header; about ``size_bytes`` large (as small as frames of
    ``frame_samples`` make it when none is given). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = max(1, round(true_seconds * SAMPLE_RATE / frame_samples))
    with av.open(str(path), mode="w", format="matroska") as container:
        stream = container.add_stream("flac", rate=SAMPLE_RATE, options={"frame_size": str(frame_samples)})
        stream.layout = "mono"
        stream.format = "s16"
        silent, loud = _encoded_frames(stream, frame_samples)
        # ~12 bytes of Matroska block per packet; how many of the frames must be the larger one.
        per_packet = (size_bytes or 0) / count - 12
        loud_share = min(1.0, max(0.0, (per_packet - len(silent)) / max(1, len(loud) - len(silent))))
        owed = 0.0
        for index in range(count):
            owed += loud_share
            data = loud if owed >= 1.0 else silent
            owed -= 1.0 if data is loud else 0.0
            packet = av.Packet(data)
            packet.stream = stream
            packet.time_base = Fraction(1, SAMPLE_RATE)
            packet.pts = packet.dts = index * frame_samples
            packet.duration = frame_samples
            container.mux(packet)
    _declare_duration(path, declared_seconds)
    return str(path)


def _declare_duration(path: Path, seconds: float) -> None:
    """Overwrite the Segment Info's Duration (the first one, in the file's header)."""
    content = bytearray(path.read_bytes())
    at = content.find(_DURATION_ELEMENT, 0, 4096)
    if at < 0:
        raise RuntimeError(f"{path.name}: no Duration element in the Matroska header")
    start = at + len(_DURATION_ELEMENT)
    content[start : start + 8] = struct.pack(">d", seconds * 1000.0)
    path.write_bytes(bytes(content))
