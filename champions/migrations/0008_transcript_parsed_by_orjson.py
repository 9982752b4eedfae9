# The transcript's column is read by orjson (core.json_fields.FastJSONField): the same column,
# so only the migration state changes (SQLite would otherwise copy the whole table).

import core.json_fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("champions", "0007_champion_transcript_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="championtranscript",
                    name="data",
                    field=core.json_fields.FastJSONField(blank=True, default=dict),
                ),
            ],
        ),
    ]
