"""One previous secret becomes a list of retired secrets, each with its own expiry: a second
regeneration within the grace period no longer cuts off the first one."""

from django.db import migrations, models


def previous_secret_to_list(apps, schema_editor):
    WebhookEndpoint = apps.get_model("webhooks_app", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.exclude(previous_secret="").exclude(previous_secret_expires_at=None):
        endpoint.retired_secrets = [
            {"secret": endpoint.previous_secret, "expires_at": endpoint.previous_secret_expires_at.isoformat()}
        ]
        endpoint.save(update_fields=["retired_secrets"])


def list_to_previous_secret(apps, schema_editor):
    from datetime import datetime

    WebhookEndpoint = apps.get_model("webhooks_app", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.exclude(retired_secrets=[]):
        newest = endpoint.retired_secrets[0]
        endpoint.previous_secret = newest["secret"]
        endpoint.previous_secret_expires_at = datetime.fromisoformat(newest["expires_at"])
        endpoint.save(update_fields=["previous_secret", "previous_secret_expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks_app", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="retired_secrets",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(previous_secret_to_list, list_to_previous_secret),
        migrations.RemoveField(model_name="webhookendpoint", name="previous_secret"),
        migrations.RemoveField(model_name="webhookendpoint", name="previous_secret_expires_at"),
    ]
