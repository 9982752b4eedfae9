"""Writes of webhook deliveries: one per (event, endpoint), created by the fan-out of a
domain event, by staff's test event, and made due again by staff's "retry now".

One message id per (event, endpoint) is kept across retries, as Standard Webhooks asks; each
new delivery's first attempt is enqueued after commit (``dispatch``), or made right here by
the fan-out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict
from webhooks_app import payloads, signing
from webhooks_app.models import TEST_EVENT, WebhookDelivery, WebhookEndpoint
from webhooks_app.services.attempts import delivery_attempt
from webhooks_app.services.dispatch import DISPATCH_LEASE, attempt_enqueue_at, attempts_enqueue


def event_deliveries_create(
    *, event_type: str, message_id: str, payload: dict[str, Any], now: datetime | None = None
) -> list[int]:
    """One delivery per active endpoint subscribed to ``event_type``, each attempted at once
    in its own task. Idempotent: the same message creates no second delivery for an endpoint."""
    delivery_ids, _ = _deliveries_create(
        event_type=event_type, message_id=message_id, payload=payload, now=now or timezone.now(), claim_first=False
    )
    return delivery_ids


def event_fan_out(*, event_type: str, message_id: str, payload: dict[str, Any]) -> int:
    """The fan-out task's work: the deliveries of one event, the first one attempted right
    here and the others in their own tasks (a slow endpoint delays no other). The first row is
    created already claimed: in the common one-endpoint case an event costs one task and two
    transactions."""
    now = timezone.now()
    delivery_ids, claimed_id = _deliveries_create(
        event_type=event_type, message_id=message_id, payload=payload, now=now, claim_first=True
    )
    if claimed_id is not None:
        delivery_attempt(delivery_id=claimed_id, now=now, claimed=True)
    return len(delivery_ids)


def _delivery_rows(
    endpoints: list[WebhookEndpoint],
    *,
    event_type: str,
    message_id: str,
    payload: dict[str, Any],
    now: datetime,
    claim_first: bool,
) -> list[WebhookDelivery]:
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint,
            event_type=event_type,
            message_id=message_id,
            payload=payload,
            next_attempt_at=now,
            dispatched_until=now + DISPATCH_LEASE,
            created_at=now,
        )
        for endpoint in endpoints
    ]
    if claim_first:  # what attempts._claim would do, in the same INSERT
        first = deliveries[0]
        first.attempts, first.last_attempt_at, first.dispatched_until = 1, now, None
        first.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_ATTEMPT_LEASE_SECONDS)
    return deliveries


@transaction.atomic
def _deliveries_create(
    *, event_type: str, message_id: str, payload: dict[str, Any], now: datetime, claim_first: bool
) -> tuple[list[int], int | None]:
    # Only what the fan-out reads: the secrets are encrypted, and decrypting them on every
    # event would be wasted work (the attempt loads its endpoint whole).
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(is_active=True).only("id", "event_types") if e.receives(event_type)
    ]
    if not endpoints:
        return [], None
    message = {"event_type": event_type, "message_id": message_id, "payload": payload, "now": now}
    try:
        # The usual case, a new message: one INSERT that returns the ids.
        with transaction.atomic():
            created = WebhookDelivery.objects.bulk_create(_delivery_rows(endpoints, claim_first=claim_first, **message))
        delivery_ids = [delivery.pk for delivery in created]
        claimed_id = delivery_ids[0] if claim_first else None
    except IntegrityError:
        # The same event again (a duplicate task): only the endpoints that lack it. A
        # concurrent fan-out may still win the race (ignore_conflicts); its attempt and ours
        # then meet at the claim, and only one is sent.
        already = set(
            WebhookDelivery.objects.filter(message_id=message_id, endpoint__in=endpoints).values_list(
                "endpoint_id", flat=True
            )
        )
        missing = [endpoint for endpoint in endpoints if endpoint.pk not in already]
        if not missing:
            return [], None
        WebhookDelivery.objects.bulk_create(
            _delivery_rows(missing, claim_first=False, **message), ignore_conflicts=True
        )
        delivery_ids = list(
            WebhookDelivery.objects.filter(message_id=message_id, endpoint__in=missing).values_list("id", flat=True)
        )
        claimed_id = None
    attempts_enqueue([delivery_id for delivery_id in delivery_ids if delivery_id != claimed_id])
    return delivery_ids, claimed_id


@transaction.atomic
def endpoint_send_test_event(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookDelivery:
    if not endpoint.is_active:
        raise Conflict(f"{endpoint.name} is disabled; enable it before sending a test event.")
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=TEST_EVENT,
        message_id=signing.new_message_id(),
        payload=payloads.payload_for_test(endpoint_id=endpoint.pk, moment=now),
        next_attempt_at=now,
        created_at=now,
    )
    attempt_enqueue_at(delivery.pk, due=now, now=now)
    return delivery


@transaction.atomic
def delivery_retry_now(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Staff's "retry now": one more attempt at once, whatever the schedule said. After the
    schedule's last attempt, a failing retry leaves the delivery failed again."""
    if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
        raise Conflict("The endpoint is disabled; enable it before retrying its deliveries.")
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        raise Conflict("This delivery already succeeded.")
    now = now or timezone.now()
    delivery.status = WebhookDelivery.Status.RETRYING if delivery.attempts else WebhookDelivery.Status.PENDING
    delivery.next_attempt_at, delivery.completed_at = now, None
    delivery.save(update_fields=["status", "next_attempt_at", "completed_at"])
    attempt_enqueue_at(delivery.pk, due=now, now=now)
    return delivery
