"""A long recording transcribed a window at a time, with the transcript of one pass over the
whole recording.

faster-whisper computes the log-Mel features of everything it is given at once (an STFT of
the whole call, in float64 on the way): issue 13 measured a 30-minute call at 1.7 GB in the
transcriber against 0.44 GB for 5 minutes. Given windows of at most ``WINDOW_SECONDS`` read
from the WAV, its memory is that of one window whatever the call's length.

faster-whisper decodes 30-s chunks one after the other: each starts where the one before
ended (its "seek": the last timestamp or word end decoded) and is prompted with the tokens
decoded before it. A window gives the whole pass's text only where its chunks start at the
whole pass's seeks, see the same features and get the same prompt (cut at silences and joined
word by word, windows differed from one pass by WER 2.7 % on a 10-minute call: the same seam,
other chunk starts, then greedy decoding drifted). So:

- the first window starts at the recording's start, as the whole pass does;
- a window's chunks are decoded while they lie wholly inside its audio (:meth:`Window.fits`);
  the first one that does not is not decoded: the next window starts at its seek, where the
  whole pass's next chunk starts too, with ``LEAD_SECONDS`` of audio before it for the STFT's
  context (``clip_timestamps`` makes decoding start at the seek), and is prompted with what
  the whole pass would prompt that chunk with (:mod:`.chunk_log`);
- every window's features are floored at the whole recording's maximum (:mod:`.mel_floor`).

Every chunk is decoded once, by one window, so no word is joined, lost or doubled at a seam.
"""

from __future__ import annotations

from dataclasses import dataclass

# Five minutes: the length of a short call, so a two-hour call's peak is a short call's.
WINDOW_SECONDS = 300.0
# faster-whisper's frames (16 kHz audio, hop 160: 100 a second) and its 30-s chunk.
HOP_SAMPLES = 160
FRAMES_PER_SECOND = 100
CHUNK_FRAMES = 3000
# Half the STFT's 400-sample frame: a frame needs that much audio on each side of its centre to
# be computed as in the whole recording (at a window's edges it would see padding instead).
_STFT_HALF_FRAME = 200
# Audio given before a window's first chunk: far more than the STFT's half frame; one second,
# so that the window's first frames are whole-recording frames whatever the padding.
LEAD_SECONDS = 1.0
LEAD_FRAMES = int(LEAD_SECONDS * FRAMES_PER_SECOND)
# A window must hold its lead and one whole chunk, or it would never get past its first one.
MIN_WINDOW_SECONDS = LEAD_SECONDS + CHUNK_FRAMES / FRAMES_PER_SECOND + 1.0


@dataclass(frozen=True)
class Window:
    seek: int  # the recording's frame where decoding starts: a seek of the whole pass
    lead: int  # frames of audio given before it (none at the recording's start)
    stop: int  # the sample after the last one given to the model
    last: bool  # reaches the recording's end: every chunk is decoded as in the whole pass

    @property
    def start(self) -> int:
        """The first sample given to the model."""
        return (self.seek - self.lead) * HOP_SAMPLES

    @property
    def offset(self) -> float:
        """Seconds from the recording's start to the window's audio (its timestamps' zero)."""
        return (self.seek - self.lead) / FRAMES_PER_SECOND

    @property
    def clip_start(self) -> float:
        """Where decoding starts, in seconds of the window's audio (``clip_timestamps``)."""
        return self.lead / FRAMES_PER_SECOND

    def fits(self, chunk_seek: int) -> bool:
        """Whether the chunk starting at frame ``chunk_seek`` of the window's features lies
        wholly inside the window's audio, its last frame's STFT included: it is then decoded
        from the same features as in the whole pass (the last window's chunks all are)."""
        if self.last:
            return True
        return self.start + (chunk_seek + CHUNK_FRAMES) * HOP_SAMPLES + _STFT_HALF_FRAME <= self.stop

    def recording_frame(self, chunk_seek: int) -> int:
        """Frame ``chunk_seek`` of the window's features as a frame of the recording."""
        return self.seek - self.lead + chunk_seek


def window_at(seek: int, size: int, *, window_seconds: float = WINDOW_SECONDS, sample_rate: int = 16_000) -> Window:
    """The window whose decoding starts at the recording's frame ``seek``, at most
    ``window_seconds`` of audio (its lead included), for a recording of ``size`` samples."""
    if window_seconds < MIN_WINDOW_SECONDS:
        raise ValueError(f"a window must be at least {MIN_WINDOW_SECONDS:g} s long, not {window_seconds:g}")
    if sample_rate != HOP_SAMPLES * FRAMES_PER_SECOND:
        raise ValueError(f"windows are planned on 16 kHz audio, not {sample_rate} Hz")
    lead = min(seek, LEAD_FRAMES)
    start = (seek - lead) * HOP_SAMPLES
    stop = min(size, start + int(window_seconds * sample_rate))
    return Window(seek=seek, lead=lead, stop=stop, last=stop >= size)


def recording_blocks(
    size: int, *, window_seconds: float = WINDOW_SECONDS, sample_rate: int = 16_000
) -> list[tuple[int, int]]:
    """Consecutive stretches of at most ``window_seconds`` covering the recording: where its
    loudest moment is looked for (:func:`.mel_floor.recording_mel_max`), a window's worth of
    memory at a time."""
    step = int(window_seconds * FRAMES_PER_SECOND) * HOP_SAMPLES  # whole frames
    return [(start, min(size, start + step)) for start in range(0, max(size, 1), step)]
