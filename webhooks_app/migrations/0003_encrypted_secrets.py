"""Webhook signing secrets encrypted at rest (django-fernet-encrypted-fields). Existing values
were plain text: the encrypted fields read those as they are, and saving them again encrypts
them."""

import json

import encrypted_fields.fields
from django.db import migrations


def encrypt_existing(apps, schema_editor):
    WebhookEndpoint = apps.get_model("webhooks_app", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.all():
        if isinstance(endpoint.retired_secrets, str):  # plain JSON that did not decrypt
            endpoint.retired_secrets = json.loads(endpoint.retired_secrets)
        endpoint.save(update_fields=["secret", "retired_secrets"])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks_app", "0002_retired_secrets"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="retired_secrets",
            field=encrypted_fields.fields.EncryptedJSONField(blank=True, default=list, editable=False),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=encrypted_fields.fields.EncryptedCharField(editable=False, max_length=100),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
