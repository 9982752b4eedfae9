"""How an endpoint fares over its deliveries: failures counted since the last success, and
the system disabling (and telling staff about) an endpoint that asked to stop (410) or has
failed every delivery for WEBHOOK_DISABLE_AFTER_DAYS."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from core import ops
from webhooks_app.models import WebhookEndpoint
from webhooks_app.services.endpoints import endpoint_disable

ALERT_ENDPOINT_DISABLED = "webhook.endpoint_disabled"
# last_success_at of a healthy endpoint is refreshed at most this often: one write fewer per
# delivery under load.
LAST_SUCCESS_RESOLUTION = timedelta(minutes=1)


def endpoint_success_record(endpoint: WebhookEndpoint, now: datetime) -> None:
    """A delivery got through: the failure period ends (``endpoint`` as loaded for the attempt)."""
    healthy = endpoint.consecutive_failures == 0 and endpoint.failing_since is None
    recently = endpoint.last_success_at is not None and now - endpoint.last_success_at < LAST_SUCCESS_RESOLUTION
    if not (healthy and recently):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=0, failing_since=None, last_success_at=now
        )


def endpoint_failure_record(endpoint_id: int, now: datetime) -> None:
    """One more failed attempt; the failure period starts now unless it already runs."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1, failing_since=Coalesce("failing_since", Value(now))
    )


def endpoint_disable_if_failing_too_long(endpoint_id: int, now: datetime) -> None:
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
    """Disables an active endpoint for the system (410, persistent failure) and tells staff
    (the alert is logged too, by ``core.ops``)."""
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
    return True
