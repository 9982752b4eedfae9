"""Migration ``champions.0009`` splits the transcripts already stored into blocks, and
unapplied, joins them back into the one document they were."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("champions", "0008_transcript_parsed_by_orjson")]
AFTER = [("champions", "0009_transcript_blocks")]


def migrated(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def document(segments: int) -> dict:
    return {
        "text": "hello " * segments,
        "language": "en",
        "duration": segments * 2.0,
        "segments": [
            {"id": i, "start": i * 2.0, "end": i * 2.0 + 1.5, "text": "hello", "words": [], "speaker": "other"}
            for i in range(segments)
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_stored_transcripts_are_split_into_blocks_and_joined_back():
    from accounts.models import User

    owner = User.objects.create(email="migration@example.test")
    apps = migrated(BEFORE)
    Champion = apps.get_model("champions", "Champion")
    ChampionTranscript = apps.get_model("champions", "ChampionTranscript")
    long, empty = (Champion.objects.create(owner_id=owner.pk, name=name, recording="r.mp4") for name in ("a", "b"))
    ChampionTranscript.objects.create(champion_id=long.pk, data=document(120))
    ChampionTranscript.objects.create(champion_id=empty.pk, data=document(0))

    apps = migrated(AFTER)
    Block = apps.get_model("champions", "ChampionTranscriptBlock")
    heads = {
        pk: (data, text)
        for pk, data, text in apps.get_model("champions", "ChampionTranscript").objects.values_list(
            "pk", "data", "text"
        )
    }
    assert heads[long.pk] == ({"language": "en", "duration": 240.0, "segment_count": 120}, "hello " * 120)
    assert heads[empty.pk] == ({"language": "en", "duration": 0.0, "segment_count": 0}, "")
    blocks = list(
        Block.objects.filter(transcript_id=long.pk).order_by("first_segment").values_list("first_segment", "segments")
    )
    assert [(first, len(segments)) for first, segments in blocks] == [(0, 50), (50, 50), (100, 20)]
    assert [segment for _, segments in blocks for segment in segments] == document(120)["segments"]
    assert not Block.objects.filter(transcript_id=empty.pk).exists()

    apps = migrated(BEFORE)
    joined = dict(apps.get_model("champions", "ChampionTranscript").objects.values_list("pk", "data"))
    assert joined == {long.pk: document(120), empty.pk: document(0)}
    migrated(AFTER)
