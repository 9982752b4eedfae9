"""Every segment of a transcript attributed to the champion or the other party."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE
from agents.audio.source import AudioSource, audio_source
from agents.audio.speakers.clustering import MIN_PIECES, split_two_voices
from agents.audio.speakers.features import CallSignal, describe_pieces
from agents.audio.speakers.pieces import Piece, cut_pieces, split_text
from agents.types import Segment, Transcript

CHAMPION = "champion"
OTHER = "other"


@dataclass
class SpeakerAttribution:
    transcript: Transcript  # segments split at speaker changes, each with its speaker
    speakers_found: int  # 1 or 2
    champion_seconds: float
    other_seconds: float
    separation: float  # how distinct the two clusters are (see MIN_SEPARATION)
    separation_needed: float = 0.0  # what one voice could score by chance here
    # The recording's level and pitch per 10 ms hop when they were measured here, for the
    # voice profile and coverage to reuse (a few MB for two hours, not the samples).
    hops: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)


def assign_speakers(
    transcript: Transcript,
    audio: str | Path | np.ndarray | AudioSource,
    *,
    champion_speaks_most: bool = True,
    sample_rate: int = TARGET_SAMPLE_RATE,
    keep_vendor_speakers: bool = True,
) -> SpeakerAttribution:
    """Attribute every segment to the champion or the other party.

    Returns a new transcript whose segments are split where the speaker changes inside a
    segment (ids renumbered, words kept) and carry ``speaker``. When the vendor already
    labelled every segment and ``keep_vendor_speakers`` is true, its labels are kept.
    ``champion_speaks_most=False`` makes the shorter speaker the champion (the uploader
    said so).
    """
    segments = transcript.segments
    if keep_vendor_speakers and segments and all(s.speaker in (CHAMPION, OTHER) for s in segments):
        champion = sum(s.end - s.start for s in segments if s.speaker == CHAMPION)
        other = sum(s.end - s.start for s in segments if s.speaker == OTHER)
        return SpeakerAttribution(transcript, 2 if other else 1, champion, other, float("inf"))

    signal = CallSignal.measure(audio_source(audio, sample_rate), sample_rate)
    pieces = cut_pieces(transcript, signal.silent)
    reliable = describe_pieces(pieces, signal, sample_rate)
    two_speakers, separation, separation_needed = _label_reliable_pieces(pieces, reliable)
    champion_label = _label_the_rest(pieces, reliable, champion_speaks_most) if two_speakers else _one_voice(pieces)

    new_segments = _segments_by_speaker(segments, pieces, champion_label)
    champion_seconds = sum(s.end - s.start for s in new_segments if s.speaker == CHAMPION)
    other_seconds = sum(s.end - s.start for s in new_segments if s.speaker == OTHER)
    result = Transcript(transcript.text, transcript.language, transcript.duration, new_segments)
    return SpeakerAttribution(
        result,
        speakers_found=2 if two_speakers else 1,
        champion_seconds=round(champion_seconds, 3),
        other_seconds=round(other_seconds, 3),
        separation=round(float(separation), 3),
        separation_needed=round(float(separation_needed), 3),
        hops=(signal.energy, signal.f0),
    )


def _label_reliable_pieces(pieces: list[Piece], reliable: list[int]) -> tuple[bool, float, float]:
    """Whether the reliable pieces hold two voices (each then labelled 0 or 1), the split's
    separation and the separation it needed. Too few pieces are one voice."""
    if len(reliable) < MIN_PIECES:
        return False, 0.0, 0.0
    points = np.stack([pieces[i].features for i in reliable])  # type: ignore[misc]
    weights = np.array([pieces[i].loud_seconds for i in reliable])
    labels, separation, separation_needed = split_two_voices(points, weights)
    if labels is None:
        return False, separation, separation_needed
    for i, label in zip(reliable, labels, strict=True):
        pieces[i].label = int(label)
    return True, separation, separation_needed


def _label_the_rest(pieces: list[Piece], reliable: list[int], champion_speaks_most: bool) -> int:
    """Label the unreliable pieces (a short "Yes.") with the speaker of the nearest reliable
    one in time; returns the champion's label: the longest speaker's, unless the caller said
    otherwise."""
    centres = np.array([(pieces[i].start + pieces[i].end) / 2 for i in reliable])
    for piece in pieces:
        if piece.features is None:
            nearest = reliable[int(np.argmin(np.abs(centres - (piece.start + piece.end) / 2)))]
            piece.label = pieces[nearest].label
    talk = [sum(p.end - p.start for p in pieces if p.label == k) for k in (0, 1)]
    longest = 0 if talk[0] >= talk[1] else 1
    return longest if champion_speaks_most else 1 - longest


def _one_voice(pieces: list[Piece]) -> int:
    """Every piece is the champion's (label 0)."""
    for piece in pieces:
        piece.label = 0
    return 0


def _segments_by_speaker(segments: list[Segment], pieces: list[Piece], champion_label: int) -> list[Segment]:
    """The transcript's segments with their speaker, split where consecutive pieces of one
    segment change speaker; ids renumbered."""
    pieces_of: dict[int, list[Piece]] = {}
    for piece in pieces:
        pieces_of.setdefault(piece.segment_index, []).append(piece)
    new_segments: list[Segment] = []
    for index, segment in enumerate(segments):
        runs: list[list[Piece]] = []
        for piece in pieces_of.get(index, []):
            if runs and runs[-1][-1].label == piece.label:
                runs[-1].append(piece)
            else:
                runs.append([piece])
        if len(runs) <= 1:
            label = runs[0][0].label if runs else champion_label
            speaker = CHAMPION if label == champion_label else OTHER
            new_segments.append(
                Segment(len(new_segments), segment.start, segment.end, segment.text, list(segment.words), speaker)
            )
            continue
        parts = [[w for p in run for w in p.words] for run in runs]
        texts = split_text(segment.text, parts)
        for run, words, text in zip(runs, parts, texts, strict=True):
            start = words[0].start if words else run[0].start
            end = words[-1].end if words else run[-1].end
            speaker = CHAMPION if run[0].label == champion_label else OTHER
            new_segments.append(Segment(len(new_segments), start, end, text, words, speaker))
    return new_segments
