"""When someone speaks, from the transcript's word timings: stretches of speech and their length."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agents.types import Segment, Transcript, Word

# Words closer than this belong to the same stretch of speech when measuring speaking time.
SPEECH_BRIDGE_SECONDS = 1.0


def words_of(segments: Iterable[Segment]) -> list[Word]:
    return [word for segment in segments for word in segment.words]


def speech_spans(segments: Sequence[Segment], bridge: float = SPEECH_BRIDGE_SECONDS) -> list[tuple[float, float]]:
    """Stretches of continuous speech: word intervals merged across gaps under ``bridge``.

    Segments without word timings count whole.
    """
    intervals = sorted(
        (w.start, w.end)
        for segment in segments
        for w in (segment.words or [Word(segment.text, segment.start, segment.end)])
    )
    spans: list[tuple[float, float]] = []
    for start, end in intervals:
        if spans and start - spans[-1][1] < bridge:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def speaking_seconds(segments: Sequence[Segment]) -> float:
    return float(sum(end - start for start, end in speech_spans(segments)))


def segments_of(transcript: Transcript, speaker: str | None) -> list[Segment]:
    """The segments of ``speaker``, or all of them when speakers are unknown."""
    if speaker is None or not any(s.speaker for s in transcript.segments):
        return list(transcript.segments)
    return [s for s in transcript.segments if s.speaker == speaker]
