"""Synthesized recordings for tests, the demo command and the benchmark.

A sales call is written as a script of (speaker, text) turns; each turn is spoken by the
offline synthesizer with that speaker's voice, the turns are joined with short pauses into
one 16 kHz WAV, and the true start and end of every turn are returned, so that the
transcript, the speaker attribution and the pattern timestamps can be scored against them.
The WAV can then be wrapped into an MP4 (AAC, optionally with a small video track) the way a
real upload arrives. Bad inputs for upload validation are made here too.
"""

from __future__ import annotations

import functools
import io
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, load_audio, read_wav, write_wav
from agents.providers.speech import (
    CHAMPION_VOICE,
    PROSPECT_VOICE,
    EspeakSynthesizer,
    SpeechSynthesizer,
    VoiceSettings,
)

DEFAULT_VOICES: dict[str, VoiceSettings] = {"champion": CHAMPION_VOICE, "other": PROSPECT_VOICE}

# A short discovery call (about a minute of speech) used by the tests and for measuring the
# offline transcriber. Numbers are spelled out so that WER does not depend on digit style.
SAMPLE_CALL: tuple[tuple[str, str], ...] = (
    ("champion", "Hi Sarah, thanks for taking the time today. How is your week going so far?"),
    ("other", "It has been busy. We are hiring a lot of new sales people this quarter."),
    (
        "champion",
        "That makes sense. How does your team handle onboarding for new hires right now? "
        "What happens in their first two weeks?",
    ),
    (
        "other",
        "Mostly shadowing. New reps listen to calls from our best people, but it takes a long "
        "time before they are ready.",
    ),
    (
        "champion",
        "I hear that a lot. Our platform turns your best calls into practice sessions, so new "
        "reps can rehearse real conversations before they talk to a customer.",
    ),
    ("other", "Honestly, the price is too high for us right now. We already pay for three tools."),
    (
        "champion",
        "I understand. Most of our customers replace at least one of those tools, and they "
        "ramp new reps a month faster. Would it help to look at the numbers together?",
    ),
    ("other", "Maybe. I would need to talk to my manager before we decide anything."),
    (
        "champion",
        "Of course. Shall we book thirty minutes with your manager next Tuesday, so I can walk "
        "you both through a short pilot?",
    ),
    ("other", "Yes, Tuesday afternoon works for us."),
)


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    start: float  # seconds, first non-silent sample of the turn
    end: float  # seconds, last non-silent sample of the turn


@dataclass
class SynthesizedCall:
    wav_path: str
    duration: float
    sample_rate: int
    turns: list[Turn] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(turn.text for turn in self.turns)

    def speaker_at(self, time: float) -> str | None:
        """Who is speaking at ``time`` according to the script (None in a pause)."""
        for turn in self.turns:
            if turn.start <= time <= turn.end:
                return turn.speaker
        return None

    def speaking_seconds(self, speaker: str | None = None) -> float:
        return sum(t.end - t.start for t in self.turns if speaker is None or t.speaker == speaker)


def _trim_silence(samples: np.ndarray, sample_rate: int, floor_db: float = -50.0) -> np.ndarray:
    """Drop leading and trailing silence so that a turn's timings are those of its speech."""
    hop = sample_rate // 100
    if samples.size < hop:
        return samples
    frames = samples[: samples.size - samples.size % hop].reshape(-1, hop)
    loud = np.flatnonzero(20 * np.log10(np.maximum(np.sqrt(np.mean(frames**2, axis=1)), 1e-6)) > floor_db)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] * hop : (loud[-1] + 1) * hop]


def call_voices() -> SpeechSynthesizer:
    """Piper (a neural voice shipped on PyPI) for the male champion and espeak-ng for the
    female buyer when Piper is installed (clearer speech, lower WER); espeak-ng otherwise."""
    from agents.providers.speech import PiperSynthesizer, piper_available

    return PiperSynthesizer() if piper_available() else EspeakSynthesizer()


def synthesize_call(
    script: Sequence[tuple[str, str]],
    out_wav: str | Path,
    *,
    voices: Mapping[str, VoiceSettings] | None = None,
    synthesizer: SpeechSynthesizer | None = None,
    pause_seconds: Sequence[float] = (0.6, 0.8, 0.5, 0.7),
    lead_in_seconds: float = 0.5,
    sample_rate: int = TARGET_SAMPLE_RATE,
) -> SynthesizedCall:
    """Speak ``script`` turn by turn and join it into one WAV at ``out_wav``.

    ``voices`` maps each speaker of the script to its voice (default: a male champion and a
    female other party, espeak-ng). Pauses between turns cycle through ``pause_seconds`` so the
    rhythm is not perfectly regular. Timings are reproducible to a few milliseconds (espeak's
    female variant adds random breath noise, so the samples are not bit-identical).
    """
    voices = dict(DEFAULT_VOICES if voices is None else voices)
    synthesizer = synthesizer or EspeakSynthesizer()
    pieces: list[np.ndarray] = [np.zeros(int(lead_in_seconds * sample_rate), dtype=np.float32)]
    cursor = lead_in_seconds
    turns: list[Turn] = []
    with tempfile.TemporaryDirectory(prefix="synth-call-") as scratch:
        for index, (speaker, text) in enumerate(script):
            if speaker not in voices:
                raise KeyError(f"no voice for speaker {speaker!r}")
            turn_wav = synthesizer.synthesize(text, voices[speaker], Path(scratch) / f"turn-{index}.wav")
            speech = _trim_silence(load_audio(turn_wav, sample_rate=sample_rate), sample_rate)
            turns.append(Turn(speaker, text, round(cursor, 3), round(cursor + speech.size / sample_rate, 3)))
            pause = pause_seconds[index % len(pause_seconds)] if pause_seconds else 0.0
            pieces += [speech, np.zeros(int(pause * sample_rate), dtype=np.float32)]
            cursor += (speech.size + int(pause * sample_rate)) / sample_rate
    samples = np.concatenate(pieces)
    # Headroom: espeak peaks near full scale and AAC overshoots a little.
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak > 0.8:
        samples = samples * (0.8 / peak)
    write_wav(out_wav, samples, sample_rate)
    return SynthesizedCall(str(out_wav), samples.size / sample_rate, sample_rate, turns)


# --- containers --------------------------------------------------------------------------------

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
    samples, rate = read_wav(wav_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("wb") as raw:
        target: str | _StreamOnly = str(out_path) if seekable else _StreamOnly(raw)
        _encode(samples, rate, target, container_format, audio_codec, video=video, video_size=video_size, fps=fps)
    return str(out_path)


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
    samples: np.ndarray,
    rate: int,
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
        for start in range(0, samples.size, block):
            chunk = samples[start : start + block].reshape(1, -1).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                container.mux(audio_stream.encode(resampled))
        for resampled in resampler.resample(None):
            container.mux(audio_stream.encode(resampled))
        container.mux(audio_stream.encode(None))
        if video_stream is not None:
            _write_video_frames(container, video_stream, seconds=samples.size / rate, fps=fps)


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


# --- scoring -----------------------------------------------------------------------------------


@functools.cache
def _whisper_english_normalizer() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words, by jiwer,
    after Whisper's own English normalisation (case, punctuation, contractions, numbers and
    spellings), the way Whisper's published WERs are measured: "we're" vs "we are" or
    "Thirty" vs "30" is not an error."""
    import jiwer

    normalize = _whisper_english_normalizer()
    reference, hypothesis = normalize(reference).strip(), normalize(hypothesis).strip()
    if not reference:
        return 0.0 if not hypothesis else 1.0
    if not hypothesis:
        return 1.0
    return jiwer.wer(reference, hypothesis)
