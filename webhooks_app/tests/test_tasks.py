"""The webhooks tasks are thin: each runs its service, and only the idempotent ones retry."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from webhooks_app import services, tasks
from webhooks_app.models import WebhookDelivery
from webhooks_app.tests.factories import new_delivery

pytestmark = pytest.mark.django_db


def test_fan_out_event_creates_the_deliveries_and_attempts_the_first(endpoint, receiver):
    result = tasks.fan_out_event.apply(
        kwargs={"event_type": "user.login", "message_id": "msg_t", "payload": {"type": "user.login"}}
    )
    assert result.get() == 1
    delivery = WebhookDelivery.objects.get(message_id="msg_t")
    assert (delivery.endpoint_id, delivery.status, delivery.attempts) == (endpoint.pk, "succeeded", 1)
    assert len(receiver.received) == 1


def test_fan_out_event_retries_a_database_error_with_backoff(endpoint, receiver, monkeypatch):
    assert tasks.fan_out_event.autoretry_for == (OperationalError,)
    assert tasks.fan_out_event.max_retries == 5 and tasks.fan_out_event.retry_backoff
    assert tasks.fan_out_event.acks_late  # idempotent: one delivery per endpoint and message id
    real, calls = services.event_fan_out, []

    def locked_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(services, "event_fan_out", locked_once)
    result = tasks.fan_out_event.apply(kwargs={"event_type": "user.login", "message_id": "msg_r", "payload": {}})
    assert result.get() == 1 and len(calls) == 2
    assert WebhookDelivery.objects.filter(message_id="msg_r").count() == 1


def test_deliver_makes_one_attempt_and_a_second_run_sends_nothing(endpoint, receiver, clock):
    delivery = new_delivery(endpoint, clock)
    tasks.deliver.apply(args=(delivery.pk,))
    tasks.deliver.apply(args=(delivery.pk,))  # a redelivered message: the claim refuses it
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert len(receiver.received) == 1
    # Not retried by Celery: a failed attempt is a due time in the database.
    assert not getattr(tasks.deliver, "autoretry_for", ())
    assert tasks.deliver.soft_time_limit < tasks.deliver.time_limit


def test_the_sweep_enqueues_what_is_due_and_returns_how_many(endpoint, clock):
    delivery = new_delivery(endpoint, clock)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(dispatched_until=None)  # its task was lost
    assert tasks.sweep_due_deliveries.apply().get() == 1
    delivery.refresh_from_db()
    assert delivery.dispatched_until is not None  # leased to the task the sweep enqueued
