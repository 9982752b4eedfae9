"""Writes of a champion's stored transcript: its head (``ChampionTranscript``: language,
duration, segment count, and the text in a column of its own) and its segments in blocks of
``SEGMENTS_PER_BLOCK`` (``ChampionTranscriptBlock``), which a transcript page reads alone. The
reads are the models' (``ChampionTranscript.data_of``, ``ChampionTranscriptBlock.segments_of``)."""

from __future__ import annotations

from django.db import transaction

from agents.types import Transcript, transcript_to_dict
from champions.models import SEGMENTS_PER_BLOCK, ChampionTranscript, ChampionTranscriptBlock


def store_transcript(champion_id: int, transcript: Transcript) -> None:
    """Writes ``transcript`` as the champion's (replacing the one before)."""
    store_transcript_document(champion_id, transcript_to_dict(transcript))


@transaction.atomic
def store_transcript_document(champion_id: int, document: dict) -> None:
    """Writes ``document`` (``transcript_to_dict``'s shape) as the champion's transcript,
    replacing the one before: its head and its blocks in one transaction, so a reader sees the
    old transcript or the new one, never a mix."""
    segments = document.get("segments", [])
    head = {key: value for key, value in document.items() if key not in ("text", "segments")}
    head["segment_count"] = len(segments)
    record, _ = ChampionTranscript.objects.update_or_create(
        champion_id=champion_id, defaults={"data": head, "text": document.get("text", "")}
    )
    record.blocks.all().delete()
    ChampionTranscriptBlock.objects.bulk_create(
        ChampionTranscriptBlock(
            transcript=record, first_segment=first, segments=segments[first : first + SEGMENTS_PER_BLOCK]
        )
        for first in range(0, len(segments), SEGMENTS_PER_BLOCK)
    )
