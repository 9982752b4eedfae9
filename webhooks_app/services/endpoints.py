"""Writes of webhook endpoints: creation with a secret, updates, SSRF checks of the URL,
enabling and disabling, secret regeneration with a grace period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import ops
from core.errors import InvalidInput
from webhooks_app import network, signing
from webhooks_app.models import DELIVERABLE_EVENT_TYPES, TEST_EVENT, WebhookDelivery, WebhookEndpoint

AUDIT_SECRET_REGENERATED = "WEBHOOK_SECRET_REGENERATE"  # noqa: S105 (an audit action name)
OPEN_STATUSES = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING)


def endpoint_url_validate(url: str) -> None:
    """Refuses a URL that webhooks may not be sent to (SSRF), as a field error."""
    try:
        network.destination_check(url)
    except network.DestinationRefused as exc:
        raise InvalidInput(str(exc), fields={"url": [str(exc)]}) from None
    except network.DestinationUnresolvable as exc:
        message = f"{exc}. Check the host name."
        raise InvalidInput(message, fields={"url": [message]}) from None


def _event_types_validate(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(DELIVERABLE_EVENT_TYPES) - {TEST_EVENT})
    if unknown:
        message = f"Unknown event types: {', '.join(unknown)}."
        raise InvalidInput(message, fields={"event_types": [message]})
    return sorted(set(event_types) - {TEST_EVENT})


def endpoint_create(
    *,
    name: str,
    url: str,
    event_types: list[str] | None = None,
    is_active: bool = True,
    created_by_id: int | None = None,
) -> WebhookEndpoint:
    """Creates an endpoint with a new secret (``endpoint.secret``: show it once)."""
    endpoint = WebhookEndpoint(name=name, url=url, event_types=event_types or [], is_active=is_active)
    return endpoint_save_new(endpoint=endpoint, created_by_id=created_by_id)


@transaction.atomic
def endpoint_save_new(*, endpoint: WebhookEndpoint, created_by_id: int | None = None) -> WebhookEndpoint:
    """Validates and saves an unsaved endpoint (built by a form) with a new secret."""
    endpoint_url_validate(endpoint.url)
    endpoint.name = endpoint.name.strip()
    endpoint.event_types = _event_types_validate(endpoint.event_types or [])
    endpoint.secret = signing.secret_generate()
    endpoint.created_by_id = created_by_id
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    allowed = {"name", "url", "event_types", "is_active"}
    if unexpected := set(changes) - allowed:
        raise ValueError(f"not editable: {', '.join(sorted(unexpected))}")
    if "url" in changes and changes["url"] != endpoint.url:
        endpoint_url_validate(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _event_types_validate(changes["event_types"] or [])
    was_active = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).exists()
    for field, value in changes.items():
        setattr(endpoint, field, value)
    if endpoint.is_active and not was_active:
        _reset_failure_state(endpoint)
    elif was_active and not endpoint.is_active:
        endpoint.disabled_reason = endpoint.disabled_reason or "Disabled by staff."
        endpoint.disabled_at = timezone.now()
    endpoint.full_clean()
    endpoint.save()
    if was_active and not endpoint.is_active:
        _fail_open_deliveries(endpoint, reason="the endpoint was disabled")
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def _reset_failure_state(endpoint: WebhookEndpoint) -> None:
    endpoint.disabled_reason, endpoint.disabled_at = "", None
    endpoint.consecutive_failures, endpoint.failing_since = 0, None


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint_url_validate(endpoint.url)  # the rules may have changed since it was saved
    endpoint.is_active = True
    _reset_failure_state(endpoint)
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, now: datetime | None = None) -> WebhookEndpoint:
    """Disables the endpoint (staff, a 410, or persistent failure) and fails its open
    deliveries: a disabled endpoint receives nothing until staff enable it again."""
    now = now or timezone.now()
    endpoint.is_active, endpoint.disabled_reason, endpoint.disabled_at = False, reason[:300], now
    endpoint.save(update_fields=["is_active", "disabled_reason", "disabled_at", "updated_at"])
    _fail_open_deliveries(endpoint, reason="the endpoint was disabled", now=now)
    return endpoint


def _fail_open_deliveries(endpoint: WebhookEndpoint, *, reason: str, now: datetime | None = None) -> int:
    return WebhookDelivery.objects.filter(endpoint=endpoint, status__in=OPEN_STATUSES).update(
        status=WebhookDelivery.Status.FAILED,
        next_attempt_at=None,
        last_error=reason,
        completed_at=now or timezone.now(),
    )


@transaction.atomic
def endpoint_regenerate_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret, returned to be shown once. The old one keeps signing beside it for
    WEBHOOK_SECRET_GRACE_HOURS. Audited without either secret."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    valid_until = now + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    # Every secret replaced within its grace period keeps signing until it ends: regenerating
    # twice (or a double submit) must not cut off receivers still on the first one.
    endpoint.retired_secrets = [
        {"secret": endpoint.secret, "expires_at": valid_until.isoformat()},
        *_unexpired(endpoint.retired_secrets, now),
    ]
    endpoint.secret = signing.secret_generate()
    endpoint.save(update_fields=["secret", "retired_secrets", "updated_at"])
    # The secret fields are excluded from the audit log, so the automatic entry would be
    # empty: record the action itself, with the grace period and no secret.
    ops.audit_record(
        endpoint,
        action=AUDIT_SECRET_REGENERATED,
        changes={"secret": ["(hidden)", "(regenerated)"]},
        extra={"previous_secret_valid_until": valid_until.isoformat()},
    )
    return endpoint.secret


def _unexpired(retired: list[dict], now: datetime) -> list[dict]:
    return [entry for entry in retired if datetime.fromisoformat(entry["expires_at"]) > now]


def secrets_in_use(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, then the retired ones still in their grace period."""
    return [endpoint.secret, *(entry["secret"] for entry in _unexpired(endpoint.retired_secrets, now))]


def retired_secrets_valid_until(endpoint: WebhookEndpoint, now: datetime) -> datetime | None:
    """When the last retired secret stops signing, or None when none does any more."""
    ends = [datetime.fromisoformat(entry["expires_at"]) for entry in _unexpired(endpoint.retired_secrets, now)]
    return max(ends, default=None)
