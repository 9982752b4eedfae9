"""Domain events → webhooks. Attached in ``champion_clone.subscriptions``.

Runs after commit in the publishing process, so it only enqueues, by the task's registered
name as services do (with the broker down, it writes the deliveries as due rows instead): the payload is built here from the event's whitelisted fields (small,
plain JSON, no stack trace, no secret) because the event itself is stored nowhere else, and
the message id derives from the event id.
"""

from __future__ import annotations

from django.conf import settings

from core.events import DomainEvent
from core.tasks import enqueue_or_run_here
from webhooks_app import payloads, services, signing
from webhooks_app.models import WebhookEndpoint

FAN_OUT_TASK = "webhooks_app.tasks.fan_out_event"


def enqueue_webhooks(event: DomainEvent) -> None:
    if event.type not in payloads.DATA_FIELDS:
        return
    # One indexed read spares the broker a task per login when no endpoint is configured.
    if not WebhookEndpoint.objects.filter(is_active=True).exists():
        return
    message = {
        "event_type": event.type,
        "message_id": signing.message_id_for(event.id),
        "payload": payloads.payload_for_event(event),
    }
    # With the broker down the deliveries are written as due rows here; their attempts cannot be
    # sent either (enqueue_on_commit alerts staff), so the beat sweep sends them once their
    # dispatch lease has passed.
    enqueue_or_run_here(
        FAN_OUT_TASK, lambda: services.event_deliveries_create(**message), kwargs=message, queue=settings.WEBHOOK_QUEUE
    )
