"""The transcript moves to its own table (``ChampionTranscript``, issue 13): every read of a
champion's row walked it. Existing transcripts are copied over before the columns go; the text
column goes without a copy, since the JSON holds the same text."""

import django.db.models.deletion
from django.db import migrations, models


def copy_transcripts(apps, schema_editor):
    Champion = apps.get_model("champions", "Champion")
    ChampionTranscript = apps.get_model("champions", "ChampionTranscript")
    # One champion at a time: a two-hour call's JSON is 1.5 MB.
    for champion_id in Champion.objects.exclude(transcript={}).values_list("pk", flat=True).iterator():
        data = Champion.objects.filter(pk=champion_id).values_list("transcript", flat=True).get()
        if data:
            ChampionTranscript.objects.create(champion_id=champion_id, data=data)


def copy_transcripts_back(apps, schema_editor):
    Champion = apps.get_model("champions", "Champion")
    ChampionTranscript = apps.get_model("champions", "ChampionTranscript")
    for record in ChampionTranscript.objects.iterator():
        Champion.objects.filter(pk=record.champion_id).update(
            transcript=record.data, transcript_text=record.data.get("text", "")
        )


class Migration(migrations.Migration):
    dependencies = [("champions", "0006_step_heartbeat")]

    operations = [
        migrations.CreateModel(
            name="ChampionTranscript",
            fields=[
                (
                    "champion",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="transcript_record",
                        serialize=False,
                        to="champions.champion",
                    ),
                ),
                ("data", models.JSONField(blank=True, default=dict)),
            ],
        ),
        migrations.RunPython(copy_transcripts, copy_transcripts_back),
        migrations.RemoveField(model_name="champion", name="transcript"),
        migrations.RemoveField(model_name="champion", name="transcript_text"),
    ]
