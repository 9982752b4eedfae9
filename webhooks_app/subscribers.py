"""Domain events → webhooks. Attached in ``champion_clone.subscriptions``.

Runs after commit in the publishing process, so it only enqueues, by the task's registered
name as services do: the payload is built here from the event's whitelisted fields (small,
plain JSON, no stack trace, no secret) because the event itself is stored nowhere else, and
the message id derives from the event id.
"""

from __future__ import annotations

from django.conf import settings

from core.events import DomainEvent
from core.tasks import enqueue
from webhooks_app import payloads, signing
from webhooks_app.models import WebhookEndpoint

FAN_OUT_TASK = "webhooks_app.tasks.fan_out_event"


def enqueue_webhooks(event: DomainEvent) -> None:
    if event.type not in payloads.DATA_FIELDS:
        return
    # One indexed read spares the broker a task per login when no endpoint is configured.
    if not WebhookEndpoint.objects.filter(is_active=True).exists():
        return
    enqueue(
        FAN_OUT_TASK,
        kwargs={
            "event_type": event.type,
            "message_id": signing.message_id_for(event.id),
            "payload": payloads.payload_for_event(event),
        },
        queue=settings.WEBHOOK_QUEUE,
    )
