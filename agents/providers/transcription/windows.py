"""A long recording transcribed a window at a time, cut at silences, and the windows' words
joined back at their seams.

faster-whisper computes the log-Mel features of everything it is given at once (an STFT of
the whole call, in float64 on the way): issue 13 measured a 30-minute call at 1.7 GB in the
transcriber against 0.44 GB for 5 minutes. Given windows of at most ``WINDOW_SECONDS`` read
from the WAV, its memory is that of one window whatever the call's length.

Each window ends in the quietest stretch of the last ``SEAM_SEARCH_SECONDS`` before its
limit, so a seam falls in a pause between words, not inside one. Windows may overlap by
``overlap_seconds`` (none by default, since the seam is a pause); the seam's merge keeps a
word of the window before when its middle is before the seam and of the window after
otherwise, so a word heard in both is kept once and one heard in either is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.audio.source import AudioSource
from agents.audio.voice.frames import HOP_SECONDS, frame_energy_db
from agents.types import Segment, Word

# Five minutes: the length of a short call, so a two-hour call's peak is a short call's.
WINDOW_SECONDS = 300.0
# Where a window's end is looked for: the quietest 0.3 s in the last 20 s before its limit.
SEAM_SEARCH_SECONDS = 20.0
_SEAM_QUIET_SECONDS = 0.3


@dataclass(frozen=True)
class Window:
    start: int  # first sample given to the model
    stop: int  # sample after the last one given to the model
    keep_from: float  # seconds: words whose middle is in [keep_from, keep_until) are this window's
    keep_until: float


def _quietest_point(source: AudioSource, lo: int, hi: int) -> int:
    """The sample in [lo, hi) at the middle of its quietest ``_SEAM_QUIET_SECONDS``."""
    rate = source.sample_rate
    energy = frame_energy_db(source.read(lo, hi), rate)
    width = max(1, int(round(_SEAM_QUIET_SECONDS / HOP_SECONDS)))
    if energy.size <= width:
        return hi
    # Mean level over a sliding run of hops; the latest of equally quiet runs (the window long).
    running = np.convolve(energy.astype(np.float64), np.ones(width) / width, mode="valid")
    best = running.size - 1 - int(np.argmin(running[::-1]))
    return lo + int((best + width / 2) * HOP_SECONDS * rate)


def plan_windows(
    source: AudioSource,
    *,
    window_seconds: float = WINDOW_SECONDS,
    search_seconds: float = SEAM_SEARCH_SECONDS,
    overlap_seconds: float = 0.0,
) -> list[Window]:
    """The windows that cover the recording, each at most ``window_seconds`` (plus the
    overlap), cut at the quietest point near its limit. One window for a short recording."""
    rate = source.sample_rate
    longest = int(window_seconds * rate)
    search = min(int(search_seconds * rate), longest // 2)
    overlap = int(overlap_seconds * rate)
    seams = [0]
    while source.size - seams[-1] > longest:
        limit = seams[-1] + longest
        seams.append(_quietest_point(source, limit - search, limit))
    seams.append(source.size)
    windows = []
    for index in range(len(seams) - 1):
        first, last = index == 0, index == len(seams) - 2
        windows.append(
            Window(
                start=seams[index] if first else max(0, seams[index] - overlap),
                stop=seams[index + 1] if last else min(source.size, seams[index + 1] + overlap),
                keep_from=-np.inf if first else seams[index] / rate,
                keep_until=np.inf if last else seams[index + 1] / rate,
            )
        )
    return windows


def _middle(word: Word) -> float:
    return (word.start + word.end) / 2


def segments_within(segments: list[Segment], window: Window) -> list[Segment]:
    """The window's segments (timed in the recording) cut to the words the window keeps:
    a segment with no word left is dropped; one without word timings is kept by its middle."""
    kept: list[Segment] = []
    for segment in segments:
        if not segment.words:
            if window.keep_from <= (segment.start + segment.end) / 2 < window.keep_until:
                kept.append(segment)
            continue
        words = [w for w in segment.words if window.keep_from <= _middle(w) < window.keep_until]
        if not words:
            continue
        if len(words) == len(segment.words):
            kept.append(segment)
            continue
        # Cut at a seam (only with an overlap): the text is the kept words'.
        text = " ".join(w.text for w in words)
        kept.append(Segment(segment.id, words[0].start, words[-1].end, text, words, segment.speaker))
    return kept


def shifted(segment: Segment, seconds: float) -> Segment:
    """A window's segment timed in the whole recording."""
    words = [Word(w.text, w.start + seconds, w.end + seconds, w.probability) for w in segment.words]
    return Segment(segment.id, segment.start + seconds, segment.end + seconds, segment.text, words, segment.speaker)
