"""A domain event delivered by a real Celery worker process (fan-out task, then delivery task)."""

from __future__ import annotations

import json
import uuid

import pytest

from core import events
from core.events import DomainEvent
from core.testing.worker import celery_worker
from webhooks_app import services
from webhooks_app.models import WebhookDelivery, WebhookEndpoint
from webhooks_app.testing import WebhookReceiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_domain_event_is_delivered_and_verified_through_a_real_worker(settings, user):
    queue = f"test-{uuid.uuid4().hex[:10]}"
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_QUEUE = queue
    holder: dict[str, WebhookEndpoint] = {}
    with WebhookReceiver(verify_secret=lambda: holder["endpoint"].secret) as receiver:
        holder["endpoint"] = services.endpoint_create(name="CRM", url=receiver.url())
        env = {"WEBHOOK_QUEUE": queue, "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}
        with celery_worker(queue=queue, extra_env=env, pool="solo"):
            event = DomainEvent(type=events.USER_LOGIN, data={"user_id": user.pk, "email": user.email}, user_id=user.pk)
            events.dispatch(event)  # what the publishing transaction's commit does
            [received] = receiver.wait_for(1, timeout=60)
    assert received.verified, received.verification_error
    assert received.headers["webhook-id"] == f"msg_{event.id}"
    assert json.loads(received.body)["data"] == {"user_id": user.pk, "email": user.email}
    assert WebhookDelivery.objects.get().status in ("pending", "succeeded")  # the worker may still be recording
