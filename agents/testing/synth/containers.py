"""A WAV re-encoded into the containers uploads arrive in, and the bad inputs upload
validation must refuse."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, read_wav, write_wav
from agents.audio.source import ArraySource, AudioSource, WavSource

# PyAV encoder and container per output suffix.
_AUDIO_FORMATS: dict[str, tuple[str, str]] = {
    ".mp4": ("mp4", "aac"),
    ".m4a": ("mp4", "aac"),
    ".mov": ("mov", "aac"),
    ".mkv": ("matroska", "libopus"),
    ".webm": ("webm", "libopus"),
    ".ogg": ("ogg", "libopus"),
    ".mp3": ("mp3", "libmp3lame"),
    ".flac": ("flac", "flac"),
    ".wav": ("wav", "pcm_s16le"),
}
_VIDEO_CODEC = {"mp4": "libx264", "mov": "libx264", "matroska": "libvpx", "webm": "libvpx"}
# Fastest encoder settings: the picture is a placeholder, only its presence matters.
_VIDEO_OPTIONS = {"libx264": {"preset": "ultrafast"}, "libvpx": {"deadline": "realtime", "cpu-used": "8"}}


def encode_recording(
    wav_path: str | Path,
    out_path: str | Path,
    *,
    video: bool = False,
    video_size: tuple[int, int] = (64, 48),
    fps: int = 5,
    seekable: bool = True,
) -> str:
    """Re-encode a WAV into the container named by ``out_path``'s suffix (mp4, m4a, mov, mkv,
    webm, ogg, mp3, flac, wav), optionally with a small moving video track.

    ``seekable=False`` writes the file as a stream, the way a browser's MediaRecorder does:
    a WebM made like that has no duration in its header.
    """
    out_path = Path(out_path)
    container_format, audio_codec = _AUDIO_FORMATS[out_path.suffix.lower()]
    # Read a block at a time: a two-hour call for the benchmark is never in memory whole.
    source = _wav_source(wav_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("wb") as raw:
        target: str | _StreamOnly = str(out_path) if seekable else _StreamOnly(raw)
        _encode(source, target, container_format, audio_codec, video=video, video_size=video_size, fps=fps)
    return str(out_path)


def _wav_source(wav_path: str | Path) -> AudioSource:
    """The WAV at its own rate: read from disk a block at a time when mono 16-bit."""
    try:
        return WavSource(wav_path)
    except ValueError:
        samples, rate = read_wav(wav_path)
        return ArraySource(samples, rate)


class _StreamOnly(io.RawIOBase):
    """A write-only, non-seekable file: muxers cannot go back to fill in the header."""

    def __init__(self, raw: io.BufferedWriter) -> None:
        self._raw = raw

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self._raw.write(data)


def _encode(
    source: AudioSource,
    target: str | _StreamOnly,
    container_format: str,
    audio_codec: str,
    *,
    video: bool,
    video_size: tuple[int, int],
    fps: int,
) -> None:
    with av.open(target, mode="w", format=container_format) as container:
        # Opus only takes 48 kHz (and a few divisors); let the encoder side resample.
        rate = source.sample_rate
        encode_rate = 48_000 if audio_codec == "libopus" else rate
        audio_stream = container.add_stream(audio_codec, rate=encode_rate)
        audio_stream.layout = "mono"
        video_stream = None
        if video:
            if container_format not in _VIDEO_CODEC:
                raise ValueError(f"{container_format} cannot carry video here")
            codec = _VIDEO_CODEC[container_format]
            video_stream = container.add_stream(codec, rate=fps, options=_VIDEO_OPTIONS[codec])
            video_stream.width, video_stream.height = video_size
            video_stream.pix_fmt = "yuv420p"
        resampler = av.AudioResampler(format=audio_stream.format.name, layout="mono", rate=encode_rate)
        block = rate // 10
        for start in range(0, source.size, block):
            chunk = source.read(start, min(start + block, source.size)).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                container.mux(audio_stream.encode(resampled))
        for resampled in resampler.resample(None):
            container.mux(audio_stream.encode(resampled))
        container.mux(audio_stream.encode(None))
        if video_stream is not None:
            _write_video_frames(container, video_stream, seconds=source.size / rate, fps=fps)


def _write_video_frames(
    container: av.container.OutputContainer, stream: av.video.stream.VideoStream, *, seconds: float, fps: int
) -> None:
    width, height = stream.width, stream.height
    for index in range(max(1, int(seconds * fps))):
        # A bar sweeping across a grey field: cheap to encode, visibly a video.
        image = np.full((height, width, 3), 96, dtype=np.uint8)
        column = (index * 3) % width
        image[:, column : column + 4] = (230, 200, 40)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = index
        frame.time_base = Fraction(1, fps)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def wav_to_mp4(wav_path: str | Path, mp4_path: str | Path, *, video: bool = True) -> str:
    """The usual upload: an MP4 with AAC audio and (by default) a tiny H.264 video track."""
    return encode_recording(wav_path, mp4_path, video=video)


def write_video_without_audio(path: str | Path, *, seconds: float = 2.0, fps: int = 5) -> str:
    """An MP4 with a video track and no audio: a screen capture with the microphone off."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options=_VIDEO_OPTIONS["libx264"])
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "yuv420p"
        _write_video_frames(container, stream, seconds=seconds, fps=fps)
    return str(path)


def write_text_as_mp4(path: str | Path) -> str:
    """A text file with an .mp4 name: what upload validation must refuse by content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("This is not a video. It is a text file with a misleading extension.\n" * 20)
    return str(path)


def write_silent_wav(path: str | Path, *, seconds: float = 1.0, sample_rate: int = TARGET_SAMPLE_RATE) -> str:
    return write_wav(path, np.zeros(int(seconds * sample_rate), dtype=np.float32), sample_rate)
