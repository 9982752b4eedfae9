"""What every transcriber does, and the timing guarantees both engines give."""

from __future__ import annotations

import re
import unicodedata
import wave
from abc import ABC, abstractmethod
from pathlib import Path

from agents.types import Segment, Transcript, Word

# Whisper reads at most 223 tokens of prompt and keeps the *last* ones of a longer text, which
# would drop the company and product names a user writes first. ~640 characters stay under
# that even for name-heavy text (about 3 characters a token); the offline engine then cuts to
# its exact token budget with its own tokenizer.
PROMPT_MAX_CHARS = 640
WHISPER_PROMPT_MAX_TOKENS = 223
_WHITESPACE = re.compile(r"\s+")


class Transcriber(ABC):
    name: str = "transcriber"

    @abstractmethod
    def transcribe(self, wav_path: str | Path, *, prompt: str = "") -> Transcript:
        """Transcribe a mono WAV (the decode step's output) with word timings. ``prompt`` is
        text Whisper is given as what came before (the upload's context: company, product and
        people's names), so that it spells those names the way the user does."""


def whisper_prompt(text: str | None, *, max_chars: int = PROMPT_MAX_CHARS) -> str:
    """``text`` made safe to give Whisper as its prompt: control and format characters (a
    pasted NUL, a zero-width space, a bidi override) become spaces, runs of whitespace one
    space, and at most ``max_chars`` are kept from the start, cut at a word boundary."""
    if not text:
        return ""
    printable = "".join(" " if unicodedata.category(char).startswith("C") else char for char in text)
    prompt = _WHITESPACE.sub(" ", printable).strip()
    if len(prompt) <= max_chars:
        return prompt
    head = prompt[: max_chars + 1]
    return head[: head.rfind(" ")].rstrip() if " " in head else head[:max_chars]


def clean_timings(segments: list[Segment], duration: float) -> list[Segment]:
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


def wav_duration(wav_path: str | Path) -> float:
    with wave.open(str(wav_path), "rb") as src:
        return src.getnframes() / float(src.getframerate())
