"""Open any recording ffmpeg can read (through PyAV, no system ffmpeg) and decode its audio.

``probe`` is what upload validation calls: a file is accepted because PyAV opened it and
decoded audio from it, never because of its extension or declared content type.
``decode_audio`` turns the recording into the 16 kHz mono WAV that every later step reads
(Whisper's native rate; voice statistics need nothing above 8 kHz).
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np

from agents.audio.errors import NoAudioStream, UnreadableMedia
from agents.audio.wav import float_to_pcm16, read_wav, wav_writer, write_wav
from agents.types import DecodedAudio

# The WAV helpers and the errors are imported from here by the apps.
__all__ = [
    "TARGET_SAMPLE_RATE",
    "MediaInfo",
    "NoAudioStream",
    "UnreadableMedia",
    "decode_audio",
    "float_to_pcm16",
    "load_audio",
    "probe",
    "read_wav",
    "write_wav",
]

TARGET_SAMPLE_RATE = 16_000

# How many audio packets probe() may decode while looking for one real frame. Some codecs
# (AAC with priming, Opus pre-skip) emit nothing for the first packet or two.
_PROBE_MAX_PACKETS = 50


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


def _stream_duration(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float:
    """Duration in seconds from the headers, or from the last packet when the header has none.

    Browser-recorded WebM (MediaRecorder) carries no duration in its header, so the fallback
    walks the packets (demuxing only, no decoding: cheap even for two hours).
    """
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
        if seconds > 0:
            return seconds
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is None or packet.time_base is None:
            continue
        packet_end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        end = max(end, packet_end)
    start = float(stream.start_time * stream.time_base) if stream.start_time and stream.time_base else 0.0
    return max(0.0, end - start)


def probe(path: str | Path, *, require_audio: bool = True) -> MediaInfo:
    """Open ``path`` with PyAV and prove it holds decodable audio of a real duration.

    Raises :class:`UnreadableMedia` when the file is not a recording (or decodes to
    nothing) and :class:`NoAudioStream` when it has no audio stream, unless
    ``require_audio`` is false, in which case ``has_audio`` says so.
    """
    name = Path(path).name
    container = _open(path)
    try:
        has_video = bool(container.streams.video)
        audio_streams = list(container.streams.audio)
        if not audio_streams:
            if require_audio:
                raise NoAudioStream(f"{name}: the recording has no audio track")
            return MediaInfo(
                duration=(container.duration or 0) / av.time_base,
                has_audio=False,
                has_video=has_video,
                container_format=container.format.name,
                audio_codec=None,
                audio_sample_rate=None,
            )
        stream = audio_streams[0]
        codec = stream.codec_context.name if stream.codec_context else None
        sample_rate = stream.codec_context.sample_rate if stream.codec_context else None

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
        return MediaInfo(
            duration=duration,
            has_audio=True,
            has_video=has_video,
            container_format=container.format.name,
            audio_codec=codec,
            audio_sample_rate=sample_rate,
        )
    except av.error.FFmpegError as exc:
        raise UnreadableMedia(f"{name}: not a readable audio or video file ({_reason(exc)})") from exc
    finally:
        container.close()


def decode_audio(path: str | Path, wav_path: str | Path, *, sample_rate: int = TARGET_SAMPLE_RATE) -> DecodedAudio:
    """Decode the first audio stream of ``path`` to mono ``sample_rate`` Hz and write a WAV.

    Frames are resampled and written as they come, so a two-hour recording never sits whole
    in memory. The WAV holds 16-bit PCM: half the size of float32 on disk and ~96 dB of
    dynamic range, far more than speech recognition or voice statistics can use.
    """
    name = Path(path).name
    wav_path = Path(wav_path)
    wav_path.parent.mkdir(parents=True, exist_ok=True)
    container = _open(path)
    written = 0
    try:
        if not container.streams.audio:
            raise NoAudioStream(f"{name}: the recording has no audio track")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        with wav_writer(wav_path, sample_rate) as out:

            def emit(frames: list[av.AudioFrame]) -> None:
                nonlocal written
                for resampled in frames:
                    chunk = resampled.to_ndarray().reshape(-1)
                    out.writeframes(float_to_pcm16(chunk).tobytes())
                    written += chunk.size

            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    # One corrupt packet in a long recording should cost a few ms of audio,
                    # not the whole analysis.
                    continue
                for frame in frames:
                    frame.pts = None  # the resampler re-times; odd source pts only confuse it
                    emit(resampler.resample(frame))
            emit(resampler.resample(None))
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


def load_audio(path: str | Path, *, sample_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """The recording as mono float32 at ``sample_rate``: read directly when it is already
    such a WAV (the pipeline's own output), decoded through PyAV otherwise."""
    try:
        samples, rate = read_wav(path)
        if rate == sample_rate:
            return samples
    except (wave.Error, EOFError, UnreadableMedia):
        pass
    chunks: list[np.ndarray] = []
    container = _open(path)
    try:
        if not container.streams.audio:
            raise NoAudioStream(f"{Path(path).name}: the recording has no audio track")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        for frame in container.decode(container.streams.audio[0]):
            frame.pts = None
            chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
        chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    except av.error.FFmpegError as exc:
        raise UnreadableMedia(f"{Path(path).name}: the audio track cannot be decoded ({_reason(exc)})") from exc
    finally:
        container.close()
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
