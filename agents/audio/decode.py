"""Open any recording ffmpeg can read (through PyAV, no system ffmpeg) and decode its audio.

``measure_audio`` is what upload validation calls: a file is accepted because PyAV opened it
and decoded its audio to the end, never because of its extension, declared content type or
declared duration. ``decode_audio`` turns the recording into the 16 kHz mono WAV that every
later step reads (Whisper's native rate; voice statistics need nothing above 8 kHz).
``probe`` reads what the header says, decoding one frame only.

Every decode counts what it produces and stops at its ``DecodeLimits`` (``limits``): the
recording's length, the decoded seconds per megabyte of file and, in a web request, a time
budget. Frames are handled one at a time, so memory never grows past the limit.
"""

from __future__ import annotations

import os
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np

from agents.audio.errors import NoAudioStream, UnreadableMedia
from agents.audio.limits import (
    DecodeLimitExceeded,
    DecodeLimits,
    DecodeMeter,
    DecodeTooSlow,
    RecordingTooDense,
    RecordingTooLong,
)
from agents.audio.wav import float_to_pcm16, read_wav, wav_writer, write_wav
from agents.types import DecodedAudio

# The WAV helpers, the errors and the limits are imported from here by the apps.
__all__ = [
    "TARGET_SAMPLE_RATE",
    "DecodeLimitExceeded",
    "DecodeLimits",
    "DecodeTooSlow",
    "MediaInfo",
    "NoAudioStream",
    "RecordingTooDense",
    "RecordingTooLong",
    "UnreadableMedia",
    "decode_audio",
    "float_to_pcm16",
    "load_audio",
    "measure_audio",
    "probe",
    "read_wav",
    "write_wav",
]

TARGET_SAMPLE_RATE = 16_000

# How many audio packets probe() may decode while looking for one real frame. Some codecs
# (AAC with priming, Opus pre-skip) emit nothing for the first packet or two.
_PROBE_MAX_PACKETS = 50

# load_audio fills blocks of a minute: memory grows with what was decoded, up to the limit.
_BLOCK_SECONDS = 60


@dataclass(frozen=True)
class MediaInfo:
    duration: float  # seconds of the audio stream
    has_audio: bool
    has_video: bool
    container_format: str
    audio_codec: str | None
    audio_sample_rate: int | None


def _reason(exc: Exception) -> str:
    """What went wrong, without the file's path: FFmpeg's message names the (temporary) file,
    which callers may show to users."""
    strerror = getattr(exc, "strerror", None)
    return strerror if isinstance(exc, av.error.FFmpegError) and strerror else str(exc)


def _open(path: str | Path) -> av.container.InputContainer:
    path = Path(path)
    if not path.is_file():
        raise UnreadableMedia(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise UnreadableMedia(f"{path.name}: the file is empty")
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableMedia(f"{path.name}: not a readable audio or video file ({_reason(exc)})") from exc


def _audio_stream(container: av.container.InputContainer, name: str) -> av.audio.stream.AudioStream:
    if not container.streams.audio:
        raise NoAudioStream(f"{name}: the recording has no audio track")
    return container.streams.audio[0]


def _declared_duration(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float | None:
    """What the header says, if it says anything: the stream's duration, else the container's."""
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
        if seconds > 0:
            return seconds
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def _stream_duration(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float:
    """Duration in seconds from the headers, or from the last packet when the header has none.

    Browser-recorded WebM (MediaRecorder) carries no duration in its header, so the fallback
    walks the packets (demuxing only, no decoding).
    """
    declared = _declared_duration(container, stream)
    if declared is not None:
        return declared
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is None or packet.time_base is None:
            continue
        packet_end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        end = max(end, packet_end)
    start = float(stream.start_time * stream.time_base) if stream.start_time and stream.time_base else 0.0
    return max(0.0, end - start)


def _media_info(container: av.container.InputContainer, duration: float) -> MediaInfo:
    stream = container.streams.audio[0] if container.streams.audio else None
    context = stream.codec_context if stream is not None else None
    return MediaInfo(
        duration=duration,
        has_audio=stream is not None,
        has_video=bool(container.streams.video),
        container_format=container.format.name,
        audio_codec=context.name if context else None,
        audio_sample_rate=context.sample_rate if context else None,
    )


def probe(path: str | Path, *, require_audio: bool = True) -> MediaInfo:
    """Open ``path`` with PyAV and prove it holds decodable audio; its duration is what the
    header declares (measured from the packets when it declares none): use
    :func:`measure_audio` where the length must be true.

    Raises :class:`UnreadableMedia` when the file is not a recording (or decodes to
    nothing) and :class:`NoAudioStream` when it has no audio stream, unless
    ``require_audio`` is false, in which case ``has_audio`` says so.
    """
    name = Path(path).name
    container = _open(path)
    try:
        if not container.streams.audio:
            if require_audio:
                raise NoAudioStream(f"{name}: the recording has no audio track")
            return _media_info(container, (container.duration or 0) / av.time_base)
        stream = container.streams.audio[0]
        # Decode until the first real frame: a header can claim an audio stream that holds
        # garbage, and only decoding tells.
        decoded_any = False
        try:
            for index, packet in enumerate(container.demux(stream)):
                if index >= _PROBE_MAX_PACKETS:
                    break
                if any(frame.samples > 0 for frame in packet.decode()):
                    decoded_any = True
                    break
        except av.error.FFmpegError as exc:
            raise UnreadableMedia(f"{name}: the audio track cannot be decoded ({_reason(exc)})") from exc
        if not decoded_any:
            raise NoAudioStream(f"{name}: the audio track holds no decodable sound")

        # No rewind needed: the fallback in _stream_duration only wants the last packet.
        duration = _stream_duration(container, stream)
        if duration <= 0:
            raise UnreadableMedia(f"{name}: the recording has no duration")
        return _media_info(container, duration)
    except av.error.FFmpegError as exc:
        raise UnreadableMedia(f"{name}: not a readable audio or video file ({_reason(exc)})") from exc
    finally:
        container.close()


def _decoded_frames(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream, meter: DecodeMeter
) -> Iterator[av.AudioFrame]:
    """The stream's frames, each counted by ``meter`` before it is handed on: the decode stops
    at the frame that passes a limit, whatever the header declared."""
    meter.check_declared(_declared_duration(container, stream))
    for packet in container.demux(stream):
        meter.tick()
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            # One corrupt packet in a long recording should cost a few ms of audio, not the
            # whole analysis.
            continue
        for frame in frames:
            meter.add(frame.samples, frame.sample_rate)
            yield frame


def _mono(frames: Iterator[av.AudioFrame], sample_rate: int) -> Iterator[np.ndarray]:
    """The frames resampled to mono float32 at ``sample_rate``, one chunk at a time."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    for frame in frames:
        frame.pts = None  # the resampler re-times; odd source pts only confuse it
        for resampled in resampler.resample(frame):
            yield resampled.to_ndarray().reshape(-1)
    for resampled in resampler.resample(None):
        yield resampled.to_ndarray().reshape(-1)


def _decoding(
    path: str | Path, limits: DecodeLimits | None
) -> tuple[av.container.InputContainer, DecodeMeter, Iterator[av.AudioFrame]]:
    """The open container, its meter and its audio frames, metered by ``limits`` (the
    configured recording limit when none are given)."""
    name = Path(path).name
    container = _open(path)
    try:
        stream = _audio_stream(container, name)
        meter = (limits or DecodeLimits.configured()).meter(name, os.path.getsize(path))
    except BaseException:
        container.close()
        raise
    return container, meter, _decoded_frames(container, stream, meter)


def measure_audio(path: str | Path, *, limits: DecodeLimits | None = None) -> MediaInfo:
    """What :func:`probe` tells, with the duration measured by decoding the whole audio track
    (resampling nothing, keeping nothing): raises a :class:`DecodeLimitExceeded` as soon as
    the decoded audio passes a limit, :class:`NoAudioStream` when it holds no sound."""
    name = Path(path).name
    container, meter, frames = _decoding(path, limits)
    try:
        for _frame in frames:
            pass  # the meter counts each one
        if meter.seconds <= 0:
            raise NoAudioStream(f"{name}: the audio track holds no decodable sound")
        return _media_info(container, meter.seconds)
    except av.error.FFmpegError as exc:
        raise UnreadableMedia(f"{name}: the audio track cannot be decoded ({_reason(exc)})") from exc
    finally:
        container.close()


def decode_audio(
    path: str | Path,
    wav_path: str | Path,
    *,
    sample_rate: int = TARGET_SAMPLE_RATE,
    limits: DecodeLimits | None = None,
) -> DecodedAudio:
    """Decode the first audio stream of ``path`` to mono ``sample_rate`` Hz and write a WAV.

    Frames are resampled and written as they come, so a two-hour recording never sits whole
    in memory; past a limit the decode stops and no WAV is left. The WAV holds 16-bit PCM:
    half the size of float32 on disk and ~96 dB of dynamic range, far more than speech
    recognition or voice statistics can use.
    """
    name = Path(path).name
    wav_path = Path(wav_path)
    written = 0
    container, _meter, frames = _decoding(path, limits)
    try:
        with wav_writer(wav_path, sample_rate) as out:
            for chunk in _mono(frames, sample_rate):
                out.writeframes(float_to_pcm16(chunk).tobytes())
                written += chunk.size
    except av.error.FFmpegError as exc:
        wav_path.unlink(missing_ok=True)
        raise UnreadableMedia(f"{name}: the audio track cannot be decoded ({_reason(exc)})") from exc
    except BaseException:
        wav_path.unlink(missing_ok=True)
        raise
    finally:
        container.close()
    if written == 0:
        wav_path.unlink(missing_ok=True)
        raise NoAudioStream(f"{name}: the audio track holds no decodable sound")
    return DecodedAudio(wav_path=str(wav_path), sample_rate=sample_rate, duration=written / sample_rate)


class _SampleBlocks:
    """Decoded samples in blocks of a minute, at most ``capacity`` in all: memory follows what
    was decoded (never the limit, never a header), at most twice that while the one array
    handed back is filled (each block is freed once copied, so resident memory stays nearer
    that array plus one block)."""

    def __init__(self, sample_rate: int, capacity: int, name: str, limit: float) -> None:
        self._block = sample_rate * _BLOCK_SECONDS
        self._capacity = capacity
        self._name, self._limit = name, limit
        self._blocks: list[np.ndarray] = []
        self._filled = 0  # samples in the last block
        self.size = 0

    def append(self, chunk: np.ndarray) -> None:
        if self.size + chunk.size > self._capacity:
            raise RecordingTooLong(self._name, seconds=self._limit, limit=self._limit, declared=False)
        while chunk.size:
            if not self._blocks or self._filled == self._block:
                self._blocks.append(np.empty(self._block, dtype=np.float32))
                self._filled = 0
            taken = min(chunk.size, self._block - self._filled)
            self._blocks[-1][self._filled : self._filled + taken] = chunk[:taken]
            self._filled += taken
            self.size += taken
            chunk = chunk[taken:]

    def array(self) -> np.ndarray:
        samples = np.empty(self.size, dtype=np.float32)
        done = 0
        while self._blocks:
            block = self._blocks.pop(0)
            taken = min(block.size, self.size - done)
            samples[done : done + taken] = block[:taken]
            done += taken
        return samples


def _wav_frames(path: str | Path) -> tuple[int, int] | None:
    """(frames, rate) from a PCM WAV's header; None for anything else."""
    try:
        with wave.open(str(path), "rb") as src:
            return src.getnframes(), src.getframerate()
    except (wave.Error, EOFError, OSError):
        return None


def load_audio(
    path: str | Path, *, sample_rate: int = TARGET_SAMPLE_RATE, limits: DecodeLimits | None = None
) -> np.ndarray:
    """The recording as mono float32 at ``sample_rate``: read directly when it is already
    such a WAV (the pipeline's own output), decoded through PyAV otherwise. Either way at
    most ``limits.max_seconds`` (the configured recording limit by default): memory is
    bounded by the limit, whatever the file declares."""
    limits = limits or DecodeLimits.configured()
    name = Path(path).name
    header = _wav_frames(path)
    # A PCM WAV holds what its header says or less, so a header within the limit bounds the
    # direct read; one that says more (or a size it cannot hold, as a WAV streamed to a pipe
    # says) is decoded and measured like any other file.
    if header is not None and header[1] == sample_rate and header[0] <= limits.max_seconds * sample_rate:
        try:
            return read_wav(path)[0]
        except (wave.Error, EOFError, UnreadableMedia):
            pass
    blocks = _SampleBlocks(sample_rate, int(limits.max_seconds * sample_rate) + sample_rate, name, limits.max_seconds)
    container, _meter, frames = _decoding(path, limits)
    try:
        for chunk in _mono(frames, sample_rate):
            blocks.append(chunk)
    except av.error.FFmpegError as exc:
        raise UnreadableMedia(f"{name}: the audio track cannot be decoded ({_reason(exc)})") from exc
    finally:
        container.close()
    return blocks.array()
