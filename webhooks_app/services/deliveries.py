"""Writes of webhook deliveries and their attempts.

Delivery follows Standard Webhooks: one message id per (event, endpoint) kept across retries,
a new timestamp and signature on every attempt, retries on the specification's schedule kept
as a due time in the database and swept by Celery beat (``tasks.sweep_due_deliveries``), not as
long countdowns on the broker. Functions that depend on the time take ``now`` so that tests
can drive the clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import ops
from core.errors import Conflict
from webhooks_app import network, payloads, signing
from webhooks_app.models import TEST_EVENT, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks_app.services.endpoints import OPEN_STATUSES, endpoint_disable, secrets_in_use

logger = structlog.get_logger(__name__)

# The specification's schedule: after the first attempt fails, the next ones come after these
# delays (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# A Retry-After longer than this is not believed beyond it.
RETRY_AFTER_CAP = timedelta(hours=24)
# last_success_at of a healthy endpoint is refreshed at most this often: one write fewer per
# delivery under load.
LAST_SUCCESS_RESOLUTION = timedelta(minutes=1)
# A retry due this soon is also enqueued with a countdown, so it does not wait for the sweep.
SHORT_RETRY = timedelta(seconds=60)

ALERT_DELIVERY_FAILED = "webhook.delivery_failed"
ALERT_ENDPOINT_DISABLED = "webhook.endpoint_disabled"

# An enqueued attempt not run after this long is taken as lost and enqueued again by the sweep.
DISPATCH_LEASE = timedelta(minutes=5)


def _enqueue_attempts(delivery_ids: list[int], *, countdown: float = 0) -> None:
    """Enqueues attempt tasks after commit. Callers have set ``dispatched_until``."""
    from webhooks_app import tasks

    def send() -> None:
        for delivery_id in delivery_ids:
            tasks.deliver.apply_async((delivery_id,), countdown=countdown or None, queue=settings.WEBHOOK_QUEUE)

    if delivery_ids:
        transaction.on_commit(send)


def _enqueue_attempt(delivery_id: int, *, due: datetime, now: datetime) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(dispatched_until=max(due, now) + DISPATCH_LEASE)
    _enqueue_attempts([delivery_id], countdown=max(0.0, (due - now).total_seconds()))


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

    def rows(for_endpoints: list[WebhookEndpoint], *, claim_first: bool) -> list[WebhookDelivery]:
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
            for endpoint in for_endpoints
        ]
        if claim_first:  # what _claim would do, in the same INSERT
            first = deliveries[0]
            first.attempts, first.last_attempt_at, first.dispatched_until = 1, now, None
            first.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_ATTEMPT_LEASE_SECONDS)
        return deliveries

    try:
        # The usual case, a new message: one INSERT that returns the ids.
        with transaction.atomic():
            created = WebhookDelivery.objects.bulk_create(rows(endpoints, claim_first=claim_first))
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
        WebhookDelivery.objects.bulk_create(rows(missing, claim_first=False), ignore_conflicts=True)
        delivery_ids = list(
            WebhookDelivery.objects.filter(message_id=message_id, endpoint__in=missing).values_list("id", flat=True)
        )
        claimed_id = None
    _enqueue_attempts([delivery_id for delivery_id in delivery_ids if delivery_id != claimed_id])
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
    _enqueue_attempt(delivery.pk, due=now, now=now)
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
    _enqueue_attempt(delivery.pk, due=now, now=now)
    return delivery


@transaction.atomic
def deliveries_dispatch_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Enqueues an attempt for each open delivery that is due and has no attempt enqueued
    (what the beat sweep runs). Returns their ids."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(dispatched_until__isnull=True) | Q(dispatched_until__lte=now),
        status__in=OPEN_STATUSES,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    )
    # skip_locked: two sweeps running at once (PostgreSQL) take different rows.
    delivery_ids = list(
        due.order_by("next_attempt_at")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("id", flat=True)[:limit]
    )
    WebhookDelivery.objects.filter(pk__in=delivery_ids).update(dispatched_until=now + DISPATCH_LEASE)
    _enqueue_attempts(delivery_ids)
    return delivery_ids


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    number: int
    status: str  # the delivery's status after the attempt
    response_code: int | None
    error: str
    next_attempt_at: datetime | None


def _claim(delivery_id: int, now: datetime) -> bool:
    """Takes the delivery for one attempt with a conditional UPDATE: zero rows means another
    worker has it or it is not due. The lease on ``next_attempt_at`` hands it back to the
    sweeper if this worker dies mid-attempt."""
    lease = now + timedelta(seconds=settings.WEBHOOK_ATTEMPT_LEASE_SECONDS)
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status__in=OPEN_STATUSES, next_attempt_at__lte=now).update(
            # The enqueued task (if any) is this one: the sweep may enqueue the next attempt.
            attempts=F("attempts") + 1,
            next_attempt_at=lease,
            last_attempt_at=now,
            dispatched_until=None,
        )
    )


def delivery_attempt(*, delivery_id: int, now: datetime | None = None, claimed: bool = False) -> AttemptResult | None:
    """One HTTP attempt of a due delivery; None when it was not ours to attempt. ``claimed``:
    the caller created the delivery already claimed (the fan-out)."""
    now = now or timezone.now()
    if not claimed and not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return _record(
            delivery,
            now=now,
            response=None,
            duration_ms=None,
            error="the endpoint is disabled",
            retry=False,
            alert=False,
            count_failure=False,
        )

    body = payloads.body_of(delivery.payload)
    headers = signing.headers_for(
        secrets_in_use=secrets_in_use(endpoint, now),
        message_id=delivery.message_id,
        timestamp=int(now.timestamp()),
        body=body,
    )
    started = time.monotonic()
    response: network.Response | None = None
    try:
        # Checked again at send time: DNS may now point elsewhere, or the setting changed.
        destination = network.destination_check(endpoint.url)
        response = network.post(destination, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except network.DestinationRefused as exc:
        return _record(delivery, now=now, response=None, duration_ms=None, error=str(exc), retry=False)
    except OSError as exc:  # DNS failure, refused connection, timeout, TLS error: transient
        duration_ms = int((time.monotonic() - started) * 1000)
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return _record(delivery, now=now, response=None, duration_ms=duration_ms, error=error, retry=True)
    duration_ms = int((time.monotonic() - started) * 1000)
    status = response.status
    if 200 <= status < 300:
        return _record(
            delivery, now=now, response=response, duration_ms=duration_ms, error="", retry=False, succeeded=True
        )
    if status == 410:
        result = _record(
            delivery,
            now=now,
            response=response,
            duration_ms=duration_ms,
            error="410 Gone: the receiver asked to stop",
            retry=False,
            alert=False,
        )
        endpoint_disable_and_alert(
            endpoint_id=endpoint.pk,
            reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.",
            now=now,
        )
        return result
    retry_after = None
    if status == 429 or status >= 500:
        seconds = network.retry_after_seconds(response.headers.get("retry-after"), now=now.timestamp())
        retry_after = timedelta(seconds=seconds) if seconds is not None else None
        return _record(
            delivery,
            now=now,
            response=response,
            duration_ms=duration_ms,
            error=f"HTTP {status}",
            retry=True,
            retry_after=retry_after,
        )
    # Redirects (never followed) and other client errors: the request itself is refused;
    # sending it again would get the same answer.
    return _record(delivery, now=now, response=response, duration_ms=duration_ms, error=f"HTTP {status}", retry=False)


def _next_attempt_time(number: int, now: datetime, retry_after: timedelta | None) -> datetime | None:
    if number >= MAX_ATTEMPTS:
        return None
    delay = RETRY_SCHEDULE[number - 1]
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return now + delay


def _record(
    delivery: WebhookDelivery,
    *,
    now: datetime,
    response: network.Response | None,
    duration_ms: int | None,
    error: str,
    retry: bool,
    succeeded: bool = False,
    retry_after: timedelta | None = None,
    alert: bool = True,
    count_failure: bool = True,
) -> AttemptResult:
    number = delivery.attempts
    excerpt = response.body_excerpt[:500] if response else ""
    code = response.status if response else None
    next_attempt_at = _next_attempt_time(number, now, retry_after) if retry else None
    if succeeded:
        status = WebhookDelivery.Status.SUCCEEDED
    elif next_attempt_at is not None:
        status = WebhookDelivery.Status.RETRYING
    else:
        status = WebhookDelivery.Status.FAILED
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=now,
            remote_address=response.remote_address if response else "",
            response_code=code,
            response_excerpt=excerpt,
            duration_ms=duration_ms,
            error=error[:500],
            succeeded=succeeded,
        )
        delivery.status, delivery.next_attempt_at = status, next_attempt_at
        delivery.last_response_code, delivery.last_response_excerpt = code, excerpt
        delivery.last_duration_ms, delivery.last_error = duration_ms, error[:500]
        delivery.completed_at = (
            now if status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED) else None
        )
        delivery.save(
            update_fields=[
                "status",
                "next_attempt_at",
                "last_response_code",
                "last_response_excerpt",
                "last_duration_ms",
                "last_error",
                "completed_at",
            ]
        )
        endpoints = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
        endpoint = delivery.endpoint
        healthy = endpoint.consecutive_failures == 0 and endpoint.failing_since is None
        recently = endpoint.last_success_at is not None and now - endpoint.last_success_at < LAST_SUCCESS_RESOLUTION
        if succeeded:
            if not (healthy and recently):
                endpoints.update(consecutive_failures=0, failing_since=None, last_success_at=now)
        elif count_failure:
            endpoints.update(
                consecutive_failures=F("consecutive_failures") + 1, failing_since=Coalesce("failing_since", Value(now))
            )
        if status == WebhookDelivery.Status.FAILED and alert:
            ops.alert_raise(
                type=ALERT_DELIVERY_FAILED,
                severity=ops.AlertSeverity.WARNING,
                message=(
                    f"Webhook {delivery.message_id} ({delivery.event_type}) to {delivery.endpoint.name} failed "
                    f"after {number} attempt(s): {error[:300]}"
                ),
                resource_type="webhook_endpoint",
                resource_id=delivery.endpoint_id,
            )
    if not succeeded and count_failure:
        _disable_if_failing_too_long(delivery.endpoint_id, now)
    if status == WebhookDelivery.Status.RETRYING and next_attempt_at - now <= SHORT_RETRY:
        # Due before the next sweep would notice: enqueue it too. The claim makes the
        # sweep's copy a no-op, and the database stays the source of truth.
        _enqueue_attempt(delivery.pk, due=next_attempt_at + timedelta(milliseconds=500), now=now)
    logger.info(
        "webhook_attempt",
        delivery_id=delivery.pk,
        number=number,
        status=status,
        response_code=code,
        error=error or None,
    )
    return AttemptResult(delivery.pk, number, status, code, error, next_attempt_at)


def _disable_if_failing_too_long(endpoint_id: int, now: datetime) -> None:
    cutoff = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    if WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True, failing_since__lte=cutoff).exists():
        endpoint_disable_and_alert(
            endpoint_id=endpoint_id,
            reason=(
                f"No successful delivery for {settings.WEBHOOK_DISABLE_AFTER_DAYS:g} days; "
                f"disabled on {now:%Y-%m-%d %H:%M} UTC."
            ),
            now=now,
        )


@transaction.atomic
def endpoint_disable_and_alert(*, endpoint_id: int, reason: str, now: datetime) -> bool:
    """Disables an active endpoint for the system (410, persistent failure) and tells staff."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, is_active=True).first()
    if endpoint is None:
        return False
    endpoint_disable(endpoint=endpoint, reason=reason, now=now)
    ops.alert_raise(
        type=ALERT_ENDPOINT_DISABLED,
        severity=ops.AlertSeverity.ERROR,
        message=f"Webhook endpoint {endpoint.name} ({endpoint.url}) was disabled. {reason}",
        resource_type="webhook_endpoint",
        resource_id=endpoint.pk,
        deduplicate=False,
    )
    logger.warning("webhook_endpoint_disabled", endpoint_id=endpoint.pk, reason=reason)
    return True
