"""A transcript's segments move to blocks of 50 (``ChampionTranscriptBlock``, issue 13): a page
of the 2-hour call's transcript parsed the whole 1.5 MB document. Existing transcripts are
split here: the text to its own column, the head keeps the language, the duration and the
segments' count."""

import django.db.models.deletion
from django.db import migrations, models

import core.json_fields

# Frozen here: SEGMENTS_PER_BLOCK may change, what this migration wrote may not.
BLOCK = 50


def split_segments(apps, schema_editor):
    ChampionTranscript = apps.get_model("champions", "ChampionTranscript")
    ChampionTranscriptBlock = apps.get_model("champions", "ChampionTranscriptBlock")
    # One transcript at a time: a two-hour call's JSON is 1.5 MB.
    for champion_id in ChampionTranscript.objects.values_list("pk", flat=True).iterator():
        record = ChampionTranscript.objects.get(pk=champion_id)
        document = dict(record.data or {})
        segments = document.pop("segments", [])
        record.text = document.pop("text", "")
        ChampionTranscriptBlock.objects.bulk_create(
            ChampionTranscriptBlock(transcript_id=champion_id, first_segment=first, segments=segments[first : first + BLOCK])
            for first in range(0, len(segments), BLOCK)
        )
        record.data = {**document, "segment_count": len(segments)}
        record.save(update_fields=["data", "text"])


def join_segments(apps, schema_editor):
    ChampionTranscript = apps.get_model("champions", "ChampionTranscript")
    ChampionTranscriptBlock = apps.get_model("champions", "ChampionTranscriptBlock")
    for champion_id in ChampionTranscript.objects.values_list("pk", flat=True).iterator():
        record = ChampionTranscript.objects.get(pk=champion_id)
        blocks = ChampionTranscriptBlock.objects.filter(transcript_id=champion_id).order_by("first_segment")
        head = {key: value for key, value in (record.data or {}).items() if key != "segment_count"}
        document = {"text": record.text, **head}
        document["segments"] = [segment for block in blocks.values_list("segments", flat=True) for segment in block]
        record.data = document
        record.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("champions", "0008_transcript_parsed_by_orjson"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChampionTranscriptBlock",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_segment", models.PositiveIntegerField()),
                ("segments", core.json_fields.FastJSONField(default=list)),
                (
                    "transcript",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="blocks",
                        to="champions.championtranscript",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("transcript", "first_segment"), name="transcript_block_once")
                ],
            },
        ),
        migrations.AddField(
            model_name="championtranscript", name="text", field=models.TextField(blank=True, default="")
        ),
        migrations.RunPython(split_segments, join_segments),
    ]
