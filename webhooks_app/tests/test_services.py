"""Endpoints, payloads, fan-out and the event subscriber."""

from __future__ import annotations

import json
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection

from core import events
from core.errors import Conflict, InvalidInput
from core.events import DomainEvent
from webhooks_app import payloads, services, signing, tasks
from webhooks_app.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

FAILED_EVENT = DomainEvent(
    type=events.CHAMPION_FAILED,
    data={
        "champion_id": 7,
        "name": "Q3 call",
        "step": "transcribe",
        "error": "The recording has no audio track.",
        "error_type": "UnreadableMedia",
        "stack_trace": 'Traceback (most recent call last):\n  File "/srv/app/agents/audio/decode.py", line 1',
    },
    user_id=3,
)


def test_payloads_carry_the_whitelisted_fields_and_never_a_stack_trace():
    payload = payloads.payload_for_event(FAILED_EVENT)
    assert payload["type"] == "champion.failed"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {
        "champion_id": 7,
        "name": "Q3 call",
        "step": "transcribe",
        "error": "The recording has no audio track.",
        "error_type": "UnreadableMedia",
        "user_id": 3,
    }
    assert "Traceback" not in payloads.body_of(payload).decode()


def test_every_event_type_has_a_payload_under_20_kb_even_with_oversized_fields():
    huge = "x" * 100_000
    for event_type in events.EVENT_TYPES:
        data = dict.fromkeys(payloads.DATA_FIELDS[event_type], huge) | {"password": "hunter2", "stack_trace": huge}
        body = payloads.body_of(payloads.payload_for_event(DomainEvent(type=event_type, data=data, user_id=1)))
        assert len(body) < payloads.PAYLOAD_MAX_BYTES
        assert b"hunter2" not in body


def test_endpoints_get_a_fresh_whsec_secret_and_validated_event_types():
    endpoint = services.endpoint_create(name=" CRM ", url="https://1.1.1.1/hooks", event_types=["champion.analyzed"])
    assert endpoint.name == "CRM" and endpoint.secret.startswith(signing.SECRET_PREFIX)
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(name="Bad", url="https://1.1.1.1/hooks", event_types=["user.deleted"])
    assert "event_types" in refused.value.fields


def test_fan_out_respects_subscriptions_and_activity_and_is_idempotent():
    everything = services.endpoint_create(name="All", url="https://1.1.1.1/a")
    analyses = services.endpoint_create(name="Analyses", url="https://1.1.1.1/b", event_types=["champion.analyzed"])
    services.endpoint_create(name="Off", url="https://1.1.1.1/c", is_active=False)
    created = services.event_deliveries_create(event_type="user.login", message_id="msg_1", payload={"a": 1})
    again = services.event_deliveries_create(event_type="user.login", message_id="msg_1", payload={"a": 1})
    assert [WebhookDelivery.objects.get(pk=pk).endpoint for pk in created] == [everything]
    assert again == [] and WebhookDelivery.objects.count() == 1
    analysed = services.event_deliveries_create(event_type="champion.analyzed", message_id="msg_2", payload={})
    assert {WebhookDelivery.objects.get(pk=pk).endpoint for pk in analysed} == {everything, analyses}


def test_the_subscriber_enqueues_after_commit_with_the_event_id_as_message_id(
    user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from emails_app import tasks as email_tasks

    services.endpoint_create(name="All", url="https://1.1.1.1/a")
    sent: list[dict] = []
    monkeypatch.setattr(tasks.fan_out_event, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    monkeypatch.setattr(email_tasks.send_lifecycle_email, "apply_async", lambda *args, **kwargs: None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = events.publish(events.CHAMPION_FAILED, data=FAILED_EVENT.data, user_id=user.pk)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [call] = sent
    assert call["queue"] == settings.WEBHOOK_QUEUE
    assert call["kwargs"]["message_id"] == f"msg_{event.id}"
    assert "stack_trace" not in json.dumps(call["kwargs"])  # not even on the broker


def test_the_subscriber_enqueues_nothing_without_an_active_endpoint(user, monkeypatch):
    services.endpoint_create(name="Off", url="https://1.1.1.1/a", is_active=False)
    sent: list = []
    monkeypatch.setattr(tasks.fan_out_event, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    events.dispatch(
        DomainEvent(type=events.USER_LOGIN, data={"user_id": user.pk, "email": user.email}, user_id=user.pk)
    )
    assert sent == []


def test_a_disabled_endpoint_cannot_get_a_test_event_or_a_retry():
    endpoint = services.endpoint_create(name="Off", url="https://1.1.1.1/a", is_active=False)
    with pytest.raises(Conflict):
        services.endpoint_send_test_event(endpoint=endpoint)
    services.endpoint_enable(endpoint=endpoint)
    delivery = services.endpoint_send_test_event(endpoint=endpoint)
    assert delivery.event_type == "webhook.test" and delivery.payload["data"]["endpoint_id"] == endpoint.pk
    services.endpoint_disable(endpoint=endpoint, reason="maintenance")
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    with pytest.raises(Conflict):
        services.delivery_retry_now(delivery=delivery)


def test_changing_the_url_is_checked_like_a_new_one():
    endpoint = services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    with pytest.raises(InvalidInput):
        services.endpoint_update(endpoint=endpoint, url="http://192.168.1.1/")
    services.endpoint_update(endpoint=endpoint, url="https://8.8.8.8/b", is_active=False)
    endpoint.refresh_from_db()
    assert endpoint.url == "https://8.8.8.8/b" and not endpoint.is_active and endpoint.disabled_reason


def test_the_fan_out_attempts_the_first_delivery_itself_and_enqueues_the_others(
    allow_loopback, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    services.endpoint_create(name="A", url=receiver.url("/a"))
    services.endpoint_create(name="B", url=receiver.url("/b"))
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: enqueued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_fan_out(event_type="user.login", message_id="msg_f", payload={"x": 1}) == 2
    done = WebhookDelivery.objects.get(status="succeeded")
    waiting = WebhookDelivery.objects.get(status="pending")
    assert (done.attempts, waiting.attempts) == (1, 0)
    assert enqueued == [waiting.pk] and len(receiver.received) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the same event again: nothing
        assert services.event_fan_out(event_type="user.login", message_id="msg_f", payload={"x": 1}) == 0
    assert enqueued == [waiting.pk] and len(receiver.received) == 1


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
