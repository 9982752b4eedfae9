"""One HTTP attempt of a delivery, following Standard Webhooks: the delivery's message id kept
across retries, a new timestamp and signature on every attempt. Functions that depend on the
time take ``now`` so that tests can drive the clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from agents.http import retry_after_seconds
from webhooks_app import network, payloads, signing
from webhooks_app.models import WebhookDelivery
from webhooks_app.services.endpoint_health import endpoint_disable_and_alert
from webhooks_app.services.endpoints import OPEN_STATUSES, secrets_in_use
from webhooks_app.services.outcomes import AttemptResult, Outcome, Verdict, attempt_record


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
    if delivery.endpoint.is_active:
        outcome = _send(delivery, now)
    else:
        outcome = Outcome(Verdict.ENDPOINT_DISABLED, error="the endpoint is disabled")
    result = attempt_record(delivery, outcome, now=now)
    if outcome.verdict is Verdict.GONE:
        endpoint_disable_and_alert(
            endpoint_id=delivery.endpoint_id,
            reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.",
            now=now,
        )
    return result


def _send(delivery: WebhookDelivery, now: datetime) -> Outcome:
    """Signs and POSTs the delivery's payload; what came of it."""
    endpoint = delivery.endpoint
    body = payloads.body_of(delivery.payload)
    headers = signing.headers_for(
        secrets_in_use=secrets_in_use(endpoint, now),
        message_id=delivery.message_id,
        timestamp=int(now.timestamp()),
        body=body,
    )
    started = time.monotonic()
    try:
        # Checked again at send time: DNS may now point elsewhere, or the setting changed.
        destination = network.destination_check(endpoint.url)
        response = network.post(destination, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except network.DestinationRefused as exc:
        return Outcome(Verdict.REFUSED, error=str(exc))
    except OSError as exc:  # DNS failure, refused connection, timeout, TLS error: transient
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Outcome(Verdict.TRANSIENT, error=error, duration_ms=_elapsed_ms(started))
    return _judge(response, duration_ms=_elapsed_ms(started), now=now)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _judge(response: network.Response, *, duration_ms: int, now: datetime) -> Outcome:
    """What the receiver's answer means for the delivery."""
    status = response.status
    if 200 <= status < 300:
        return Outcome(Verdict.SUCCEEDED, response=response, duration_ms=duration_ms)
    if status == 410:
        error = "410 Gone: the receiver asked to stop"
        return Outcome(Verdict.GONE, error=error, response=response, duration_ms=duration_ms)
    if status == 429 or status >= 500:
        seconds = retry_after_seconds(response.headers.get("retry-after"), now=now.timestamp())
        retry_after = timedelta(seconds=seconds) if seconds is not None else None
        return Outcome(
            Verdict.TRANSIENT,
            error=f"HTTP {status}",
            response=response,
            duration_ms=duration_ms,
            retry_after=retry_after,
        )
    # Redirects (never followed) and other client errors: the request itself is refused;
    # sending it again would get the same answer.
    return Outcome(Verdict.REFUSED, error=f"HTTP {status}", response=response, duration_ms=duration_ms)
