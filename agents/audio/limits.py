"""How much audio one decode may produce: limits held on what is decoded, never on what a
header declares.

A container's duration is whatever its author wrote: a 3 MB Matroska file of 8 kHz FLAC can
declare 10 s and decode to 3 hours. So every decode counts the samples it actually gets and
stops as soon as one limit is passed (README.md, "Recordings that lie about their length"):

- ``max_seconds``: the longest recording accepted (2 h for an upload, 3 min for a reply);
- ``max_seconds_per_mb``: decoded seconds per megabyte of file. Real codecs at their lowest
  usual bitrates stay far below the default, measured on a 77 s synthesized call (s/MB):
  FLAC 8 kHz 93-108, AAC 8 kHz 8 kbit/s 635-983, MP3 8 kbit/s 1,042, Opus 6 kbit/s 1,322,
  AMR-NB 4.75 kbit/s 1,613; the worst found, AAC of pure digital silence at 8 kHz, 13,622;
  Speex's lowest mode (2.15 kbit/s) would give about 3,900. 30,000 s/MB (280 bit/s) is twice
  the worst of these: a file of a few kilobytes cannot expand to hours (an hour needs 123 KB);
- ``max_wall_seconds``: a time budget for decoding in a web request, checked between packets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from agents.audio.errors import UnreadableMedia
from agents.settings import setting

DEFAULT_MAX_SECONDS = 2 * 3600  # the product's recording limit, CHAMPION_MAX_DURATION_SECONDS
MAX_SECONDS_PER_MB = 30_000

_MB = 1024 * 1024


def span(seconds: float) -> str:
    """``7200`` → ``2 h``, ``180`` → ``3 min``, ``20`` → ``20 s``."""
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 60:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"


class DecodeLimitExceeded(UnreadableMedia):
    """Decoding stopped because the audio passed a limit. ``reason`` is the message without
    the file's name, ``limit`` the figure passed and ``seconds`` the audio decoded by then."""

    def __init__(self, name: str, reason: str, *, limit: float, seconds: float) -> None:
        super().__init__(f"{name}: {reason}")
        self.reason = reason
        self.limit = limit
        self.seconds = seconds


class RecordingTooLong(DecodeLimitExceeded):
    """Longer than ``max_seconds``. ``seconds`` is how long it is known to be: what its header
    declares when that alone passes the limit (``declared``), else what was decoded when
    decoding stopped (just past the limit: the recording is at least that long)."""

    def __init__(self, name: str, *, seconds: float, limit: float, declared: bool) -> None:
        lasts = span(seconds) if declared else f"more than {span(limit)}"
        reason = f"the recording lasts {lasts}; the limit is {span(limit)}"
        super().__init__(name, reason, limit=limit, seconds=seconds)
        self.declared = declared


class RecordingTooDense(DecodeLimitExceeded):
    """More decoded audio per megabyte than any real codec gives: a decompression bomb."""

    def __init__(self, name: str, *, limit: float, seconds: float) -> None:
        reason = f"it decodes to more audio than a recording of its size can hold (over {limit:,.0f} s per MB)"
        super().__init__(name, reason, limit=limit, seconds=seconds)


class DecodeTooSlow(DecodeLimitExceeded):
    """Decoding took longer than its time budget."""

    def __init__(self, name: str, *, limit: float, seconds: float) -> None:
        super().__init__(name, f"decoding its audio took longer than {span(limit)}", limit=limit, seconds=seconds)


@dataclass(frozen=True)
class DecodeLimits:
    max_seconds: float = DEFAULT_MAX_SECONDS
    max_seconds_per_mb: float = MAX_SECONDS_PER_MB
    max_wall_seconds: float | None = None  # None: no time budget (a worker's own time limit)

    @classmethod
    def configured(cls) -> DecodeLimits:
        """The recording limit the product is configured with (``CHAMPION_MAX_DURATION_SECONDS``)."""
        return cls(max_seconds=float(setting("CHAMPION_MAX_DURATION_SECONDS", DEFAULT_MAX_SECONDS)))

    def meter(self, name: str, file_size: int) -> DecodeMeter:
        return DecodeMeter(self, name, file_size)


class DecodeMeter:
    """Counts what one decode produced and raises as soon as a limit is passed."""

    def __init__(self, limits: DecodeLimits, name: str, file_size: int) -> None:
        self.limits = limits
        self.name = name
        self.seconds = 0.0
        self._dense_after = limits.max_seconds_per_mb * file_size / _MB
        budget = limits.max_wall_seconds
        self._deadline = None if budget is None else time.monotonic() + budget

    def check_declared(self, seconds: float | None) -> None:
        """A header that itself declares more than the limit needs no decoding to refuse."""
        if seconds is not None and seconds > self.limits.max_seconds:
            raise RecordingTooLong(self.name, seconds=seconds, limit=self.limits.max_seconds, declared=True)

    def add(self, samples: int, sample_rate: int) -> None:
        """After each decoded frame."""
        self.seconds += samples / max(1, sample_rate)
        if self.seconds > self.limits.max_seconds:
            raise RecordingTooLong(self.name, seconds=self.seconds, limit=self.limits.max_seconds, declared=False)
        if self.seconds > self._dense_after:
            raise RecordingTooDense(self.name, limit=self.limits.max_seconds_per_mb, seconds=self.seconds)

    def tick(self) -> None:
        """Between packets: a file of many tiny packets costs time before it yields audio."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise DecodeTooSlow(self.name, limit=float(self.limits.max_wall_seconds or 0), seconds=self.seconds)
