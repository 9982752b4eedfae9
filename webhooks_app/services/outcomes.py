"""What one attempt came to, and recording it: the attempt row, the delivery's new status
and due time on the specification's retry schedule, the endpoint's health, and an alert when
a delivery fails for good."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from django.db import transaction

from core import ops
from webhooks_app import network
from webhooks_app.models import WebhookAttempt, WebhookDelivery
from webhooks_app.services import endpoint_health
from webhooks_app.services.dispatch import attempt_enqueue_at

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
# A retry due this soon is also enqueued with a countdown, so it does not wait for the sweep.
SHORT_RETRY = timedelta(seconds=60)
EXCERPT_CHARS = 500

ALERT_DELIVERY_FAILED = "webhook.delivery_failed"


class Verdict(enum.Enum):
    SUCCEEDED = "succeeded"
    # Worth sending again later (a timeout, 429, 5xx): retried on the schedule.
    TRANSIENT = "transient"
    # The request itself is refused (a refused destination, a redirect, 4xx): never retried.
    REFUSED = "refused"
    # 410: the receiver asked to stop. The endpoint is disabled, which raises its own alert.
    GONE = "gone"
    # Disabled after the attempt was claimed: nothing was sent, and it is no failure of the
    # receiver's.
    ENDPOINT_DISABLED = "endpoint_disabled"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    error: str = ""
    response: network.Response | None = None
    duration_ms: int | None = None
    retry_after: timedelta | None = None

    @property
    def counts_as_failure(self) -> bool:
        return self.verdict not in (Verdict.SUCCEEDED, Verdict.ENDPOINT_DISABLED)

    @property
    def alerts_when_final(self) -> bool:
        return self.verdict in (Verdict.TRANSIENT, Verdict.REFUSED)


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    number: int
    status: str  # the delivery's status after the attempt
    response_code: int | None
    error: str
    next_attempt_at: datetime | None


def _next_attempt_time(number: int, now: datetime, retry_after: timedelta | None) -> datetime | None:
    if number >= MAX_ATTEMPTS:
        return None
    delay = RETRY_SCHEDULE[number - 1]
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return now + delay


def _status_after(number: int, outcome: Outcome, now: datetime) -> tuple[str, datetime | None]:
    if outcome.verdict is Verdict.SUCCEEDED:
        return WebhookDelivery.Status.SUCCEEDED, None
    next_attempt_at = None
    if outcome.verdict is Verdict.TRANSIENT:
        next_attempt_at = _next_attempt_time(number, now, outcome.retry_after)
    if next_attempt_at is not None:
        return WebhookDelivery.Status.RETRYING, next_attempt_at
    return WebhookDelivery.Status.FAILED, None


def attempt_record(delivery: WebhookDelivery, outcome: Outcome, *, now: datetime) -> AttemptResult:
    """Records the attempt the delivery was claimed for (its number is ``delivery.attempts``)."""
    number = delivery.attempts
    status, next_attempt_at = _status_after(number, outcome, now)
    with transaction.atomic():
        _attempt_save(delivery, outcome, number=number, now=now)
        _delivery_save(delivery, outcome, status=status, next_attempt_at=next_attempt_at, now=now)
        if outcome.verdict is Verdict.SUCCEEDED:
            endpoint_health.endpoint_success_record(delivery.endpoint, now)
        elif outcome.counts_as_failure:
            endpoint_health.endpoint_failure_record(delivery.endpoint_id, now)
        if status == WebhookDelivery.Status.FAILED and outcome.alerts_when_final:
            _delivery_failed_alert(delivery, number=number, error=outcome.error)
    if outcome.counts_as_failure:
        endpoint_health.endpoint_disable_if_failing_too_long(delivery.endpoint_id, now)
    if status == WebhookDelivery.Status.RETRYING and next_attempt_at - now <= SHORT_RETRY:
        # Due before the next sweep would notice: enqueue it too. The claim makes the
        # sweep's copy a no-op, and the database stays the source of truth.
        attempt_enqueue_at(delivery.pk, due=next_attempt_at + timedelta(milliseconds=500), now=now)
    code = outcome.response.status if outcome.response else None
    logger.info(
        "webhook_attempt",
        delivery_id=delivery.pk,
        number=number,
        status=status,
        response_code=code,
        error=outcome.error or None,
    )
    return AttemptResult(delivery.pk, number, status, code, outcome.error, next_attempt_at)


def _attempt_save(delivery: WebhookDelivery, outcome: Outcome, *, number: int, now: datetime) -> None:
    response = outcome.response
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        attempted_at=now,
        remote_address=response.remote_address if response else "",
        response_code=response.status if response else None,
        response_excerpt=response.body_excerpt[:EXCERPT_CHARS] if response else "",
        duration_ms=outcome.duration_ms,
        error=outcome.error[:EXCERPT_CHARS],
        succeeded=outcome.verdict is Verdict.SUCCEEDED,
    )


def _delivery_save(
    delivery: WebhookDelivery, outcome: Outcome, *, status: str, next_attempt_at: datetime | None, now: datetime
) -> None:
    response = outcome.response
    delivery.status, delivery.next_attempt_at = status, next_attempt_at
    delivery.last_response_code = response.status if response else None
    delivery.last_response_excerpt = response.body_excerpt[:EXCERPT_CHARS] if response else ""
    delivery.last_duration_ms, delivery.last_error = outcome.duration_ms, outcome.error[:EXCERPT_CHARS]
    finished = status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED)
    delivery.completed_at = now if finished else None
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


def _delivery_failed_alert(delivery: WebhookDelivery, *, number: int, error: str) -> None:
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
