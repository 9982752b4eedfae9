"""Domain events → webhooks. Attached in ``champion_clone.subscriptions``.

Runs after commit in the publishing process, so it only enqueues: the payload is built here
from the event's whitelisted fields (small, plain JSON, no stack trace, no secret) because
the event itself is stored nowhere else, and the message id derives from the event id.
"""

from __future__ import annotations

from django.conf import settings

from core.events import DomainEvent
from webhooks_app import payloads, signing, tasks
from webhooks_app.models import WebhookEndpoint


def enqueue_webhooks(event: DomainEvent) -> None:
    if event.type not in payloads.DATA_FIELDS:
        return
    # One indexed read spares the broker a task per login when no endpoint is configured.
    if not WebhookEndpoint.objects.filter(is_active=True).exists():
        return
    tasks.fan_out_event.apply_async(
        kwargs={
            "event_type": event.type,
            "message_id": signing.message_id_for(event.id),
            "payload": payloads.payload_for_event(event),
        },
        queue=settings.WEBHOOK_QUEUE,
    )
