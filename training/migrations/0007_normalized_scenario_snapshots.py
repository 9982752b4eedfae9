from django.db import migrations

import training.models

BATCH = 1000


def normalize_snapshots(apps, schema_editor):
    """Every stored snapshot rewritten as the API writes it (``normalized_snapshot``), so the
    session list can send the stored JSON as it is. Only the rows that differ are written."""
    TrainingSession = apps.get_model("training", "TrainingSession")
    changed = []
    for session in TrainingSession.objects.only("id", "scenario_snapshot").iterator(chunk_size=BATCH):
        snapshot = training.models.normalized_snapshot(session.scenario_snapshot)
        if snapshot != session.scenario_snapshot:
            session.scenario_snapshot = snapshot
            changed.append(session)
        if len(changed) >= BATCH:
            TrainingSession.objects.bulk_update(changed, ["scenario_snapshot"])
            changed = []
    TrainingSession.objects.bulk_update(changed, ["scenario_snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0006_session_list_order_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="trainingsession",
            name="scenario_snapshot",
            field=training.models.ScenarioSnapshotField(default=dict),
        ),
        migrations.RunPython(normalize_snapshots, migrations.RunPython.noop, elidable=True),
    ]
