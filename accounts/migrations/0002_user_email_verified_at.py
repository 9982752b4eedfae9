"""``User.email_verified_at``. Accounts that exist before it are counted as verified (since
they joined), so that nobody already using the product stops receiving its emails; only
addresses registered from now on have to be confirmed."""

from django.db import migrations, models
from django.db.models import F


def existing_users_are_verified(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(existing_users_are_verified, migrations.RunPython.noop, elidable=True),
    ]
