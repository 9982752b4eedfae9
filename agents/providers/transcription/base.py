"""What every transcriber does, and the timing guarantees both engines give."""

from __future__ import annotations

import wave
from abc import ABC, abstractmethod
from pathlib import Path

from agents.types import Segment, Transcript, Word


class Transcriber(ABC):
    name: str = "transcriber"

    @abstractmethod
    def transcribe(self, wav_path: str | Path) -> Transcript:
        """Transcribe a mono WAV (the decode step's output) with word timings."""


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
