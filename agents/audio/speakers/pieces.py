"""The transcript's segments cut into pieces at the silences inside them, and a segment's text
cut where its words were split between speakers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from agents.audio.voice.frames import HOP_SECONDS, MIN_PAUSE_SECONDS
from agents.types import Transcript, Word


@dataclass
class Piece:
    segment_index: int
    start: float
    end: float
    words: list[Word]
    features: np.ndarray | None = None
    loud_seconds: float = 0.0
    label: int = 0


def cut_pieces(transcript: Transcript, silent: np.ndarray) -> list[Piece]:
    """Each segment cut at the silences of ``MIN_PAUSE_SECONDS`` or more inside it."""
    min_frames = int(round(MIN_PAUSE_SECONDS / HOP_SECONDS))
    pieces: list[Piece] = []
    for index, segment in enumerate(transcript.segments):
        a = max(0, int(segment.start / HOP_SECONDS))
        b = min(silent.size, int(np.ceil(segment.end / HOP_SECONDS)))
        cuts: list[float] = []
        if b - a > min_frames:
            inside = np.concatenate([[False], silent[a:b], [False]]).astype(np.int8)
            edges = np.flatnonzero(np.diff(inside))
            for run_start, run_end in zip(edges[::2], edges[1::2], strict=True):
                if run_end - run_start >= min_frames and run_start > 0 and run_end < b - a:
                    cuts.append((a + (run_start + run_end) / 2) * HOP_SECONDS)
        bounds = [segment.start, *cuts, segment.end]
        words = segment.words or [Word(segment.text, segment.start, segment.end)]
        for left, right in zip(bounds[:-1], bounds[1:], strict=True):
            mine = [
                w
                for w in words
                if left <= (w.start + w.end) / 2 < right or (right == segment.end and (w.start + w.end) / 2 >= right)
            ]
            if mine or len(bounds) == 2:
                pieces.append(Piece(index, left, right, mine))
    return pieces


def split_text(text: str, parts: list[list[Word]]) -> list[str]:
    """Cut a segment's punctuated text where its words were split between speakers.

    Words are found in order in the text; each cut falls after the last word of a part and
    the punctuation that follows it. Falls back to the words themselves when they cannot be
    found (a vendor that normalises words differently from its text).
    """
    texts: list[str] = []
    cursor = 0
    lowered = text.lower()
    for part_index, words in enumerate(parts):
        if part_index == len(parts) - 1:
            texts.append(text[cursor:].strip())
            break
        end = cursor
        for word in words:
            token = re.sub(r"^\W+|\W+$", "", word.text.lower())
            found = lowered.find(token, end) if token else -1
            if found < 0:
                return [" ".join(w.text for w in p) for p in parts]
            end = found + len(token)
        while end < len(text) and not text[end].isspace() and not text[end].isalnum():
            end += 1
        texts.append(text[cursor:end].strip())
        cursor = end
    return texts
