"""Webhook endpoints and deliveries for tests, made the way the app makes them (through the
services), so that every rule they enforce holds for test data too."""

from __future__ import annotations

import uuid

import factory

from core import events
from core.events import DomainEvent
from webhooks_app import services
from webhooks_app.models import WebhookDelivery, WebhookEndpoint

# A failure event whose data holds more than a webhook may carry (a stack trace).
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


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """``services.endpoint_create``: a validated URL (a public address by default, so no DNS)
    and a new secret."""

    class Meta:
        model = WebhookEndpoint

    name = factory.Sequence(lambda n: f"Endpoint {n}")
    url = factory.Sequence(lambda n: f"https://1.1.1.1/{n}")
    event_types = factory.LazyFunction(list)
    is_active = True

    @classmethod
    def _create(cls, model_class, **fields) -> WebhookEndpoint:
        return services.endpoint_create(**fields)


def make_endpoints(count: int) -> list[WebhookEndpoint]:
    return [WebhookEndpointFactory(name=f"Endpoint {i}", url=f"https://1.1.1.1/{i}") for i in range(count)]


def make_deliveries(endpoints: list[WebhookEndpoint], per_endpoint: int) -> None:
    """``per_endpoint`` events (``msg_0``, ``msg_1``...), each delivered to every active endpoint."""
    for index in range(per_endpoint):
        services.event_deliveries_create(event_type="user.login", message_id=f"msg_{index}", payload={"i": index})


def new_delivery(endpoint: WebhookEndpoint, clock, event_type: str = events.USER_LOGIN) -> WebhookDelivery:
    """The delivery of a new event to ``endpoint``, the one active endpoint, at ``clock.now``."""
    [delivery_id] = services.event_deliveries_create(
        event_type=event_type,
        message_id=f"msg_{uuid.uuid4().hex}",
        payload={"type": event_type, "timestamp": "2026-01-01T00:00:00Z", "data": {"user_id": 1}},
        now=clock.now,
    )
    return WebhookDelivery.objects.get(pk=delivery_id)
