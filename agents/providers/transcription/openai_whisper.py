"""OpenAI's hosted Whisper through the ``openai`` SDK, long recordings sent in pieces."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from agents.audio.source import AudioSource, audio_source
from agents.audio.wav import write_wav
from agents.providers.errors import PermanentProviderError, ProviderError, TransientProviderError
from agents.providers.transcription.base import Transcriber, clean_timings, wav_duration, whisper_prompt
from agents.providers.transcription.names import respell_names
from agents.types import Segment, Transcript, Word

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


def _chunk_bounds(source: AudioSource, chunk_seconds: float) -> list[tuple[int, int]]:
    """Sample ranges of at most ``chunk_seconds``, each cut at the quietest 100 ms window of
    its last 30 seconds (only those seconds read)."""
    rate, size = source.sample_rate, source.size
    limit = int(chunk_seconds * rate)
    search = int(min(_CUT_SEARCH_SECONDS, chunk_seconds / 4) * rate)
    window = max(1, rate // 10)
    bounds: list[tuple[int, int]] = []
    start = 0
    while size - start > limit:
        region = source.read(start + limit - search, start + limit).astype(np.float64)
        usable = region.size - region.size % window
        energy = (region[:usable].reshape(-1, window) ** 2).mean(axis=1)
        cut = start + limit - search + int(np.argmin(energy)) * window + window // 2
        bounds.append((start, cut))
        start = cut
    bounds.append((start, size))
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

    def _request(self, path: Path, prompt: str) -> Any:
        # The SDK sends no ``prompt`` field when it is omitted; an empty one is left out too.
        extra: dict[str, str] = {"prompt": prompt} if prompt else {}
        try:
            with path.open("rb") as audio:
                return self.client.audio.transcriptions.create(
                    model=self.model,
                    file=audio,
                    response_format="verbose_json",
                    timestamp_granularities=["word", "segment"],
                    **extra,
                )
        except OSError as exc:
            raise PermanentProviderError(f"cannot read {path.name}: {exc}", provider=self.name) from exc
        except Exception as exc:  # every SDK error is mapped; nothing else is raised there
            raise _map_openai_error(exc) from exc

    def transcribe(self, wav_path: str | Path, *, prompt: str = "") -> Transcript:
        wav_path = Path(wav_path)
        # Every piece of a long recording is its own request and gets the same prompt: the
        # names are as likely in the last ten minutes as in the first.
        whisper_text = whisper_prompt(prompt)
        duration = wav_duration(wav_path)
        pieces: list[tuple[Path, float]]
        scratch: tempfile.TemporaryDirectory[str] | None = None
        if duration <= self.chunk_seconds:
            pieces = [(wav_path, 0.0)]
        else:
            # Read a piece at a time: a long call is never in memory whole (issue 13).
            source = audio_source(wav_path)
            scratch = tempfile.TemporaryDirectory(prefix="openai-chunks-")
            pieces = []
            for index, (start, end) in enumerate(_chunk_bounds(source, self.chunk_seconds)):
                piece = Path(scratch.name) / f"chunk-{index:03d}.wav"
                write_wav(piece, source.read(start, end), source.sample_rate)
                pieces.append((piece, start / source.sample_rate))
        try:
            segments: list[Segment] = []
            language = ""
            for path, offset in pieces:
                response = self._request(path, whisper_text)
                language = language or str(_attr(response, "language", "") or "")
                segments.extend(_segments_from_verbose(response, offset))
        finally:
            if scratch is not None:
                scratch.cleanup()
        segments = [s for s in clean_timings(segments, duration) if s.text]
        transcript = Transcript(
            text=" ".join(s.text for s in segments),
            language=_LANGUAGE_CODES.get(language.lower(), language.lower()),
            duration=duration,
            segments=segments,
        )
        return respell_names(transcript, prompt)
