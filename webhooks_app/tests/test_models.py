"""The endpoint's secrets: encrypted at rest, and the migration that encrypted those stored in
clear."""

from __future__ import annotations

import json
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection

from webhooks_app import services
from webhooks_app.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


# What a copy of the database shows, below the ORM.
SELECT_STORED_SECRETS = "SELECT secret, retired_secrets FROM webhooks_app_webhookendpoint WHERE id = %s"


def test_secrets_are_encrypted_at_rest_and_read_back_for_signing(endpoint):
    services.endpoint_regenerate_secret(endpoint=endpoint)
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    current, retired = endpoint.secret, endpoint.retired_secrets[0]["secret"]
    assert current.startswith("whsec_") and retired.startswith("whsec_")

    with connection.cursor() as cursor:
        cursor.execute(SELECT_STORED_SECRETS, [endpoint.pk])
        stored_secret, stored_retired = cursor.fetchone()
    stored = f"{stored_secret} {stored_retired}"
    assert "whsec_" not in stored and current not in stored and retired not in stored


def test_the_migration_encrypts_secrets_stored_in_clear(endpoint):
    encrypt_existing = import_module("webhooks_app.migrations.0003_encrypted_secrets").encrypt_existing
    plain_retired = [{"secret": "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3", "expires_at": "2030-01-01T00:00:00+00:00"}]
    with connection.cursor() as cursor:  # as 0002 left them: plain text
        cursor.execute(
            "UPDATE webhooks_app_webhookendpoint SET secret = %s, retired_secrets = %s WHERE id = %s",
            ["whsec_cGxhaW4tdGV4dC1zZWNyZXQtMDEyMzQ1Njc4", json.dumps(plain_retired), endpoint.pk],
        )

    encrypt_existing(django_apps, None)

    migrated = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert migrated.secret == "whsec_cGxhaW4tdGV4dC1zZWNyZXQtMDEyMzQ1Njc4"
    assert migrated.retired_secrets == plain_retired
    with connection.cursor() as cursor:
        cursor.execute(SELECT_STORED_SECRETS, [endpoint.pk])
        assert "whsec_" not in " ".join(str(value) for value in cursor.fetchone())
