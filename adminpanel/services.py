"""Writes of the operations app: activity and error records, alerts, notes, staff logins,
log retention."""

from __future__ import annotations

import traceback
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import login_throttle
from adminpanel.models import ActivityLog, AdminAlert, AdminLoginFailure, AdminNote, ErrorLog


def activity_record(
    *,
    action: str,
    user_id: int | None,
    resource_type: str = "",
    resource_id: str = "",
    metadata: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> ActivityLog:
    return ActivityLog.objects.create(
        action=action,
        user_id=user_id,
        resource_type=resource_type,
        resource_id=resource_id,
        metadata=metadata or {},
        ip_address=ip_address,
    )


def error_record(
    *,
    error_type: str,
    message: str,
    stack_trace: str = "",
    user_id: int | None = None,
    request_path: str = "",
    source: str = "",
) -> ErrorLog:
    return ErrorLog.objects.create(
        error_type=error_type[:128],
        message=message[:10_000],
        stack_trace=stack_trace[:100_000],
        user_id=user_id,
        request_path=request_path[:500],
        source=source[:200],
    )


def error_record_exception(
    exc: BaseException, *, user_id: int | None = None, request_path: str = "", source: str = ""
) -> ErrorLog:
    return error_record(
        error_type=type(exc).__name__,
        message=str(exc) or type(exc).__name__,
        stack_trace="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        user_id=user_id,
        request_path=request_path,
        source=source,
    )


def error_resolve(*, error: ErrorLog, resolved_by_id: int | None, notes: str = "") -> ErrorLog:
    error.resolved, error.resolved_by_id, error.resolved_at = True, resolved_by_id, timezone.now()
    if notes:
        error.notes = notes
    error.save(update_fields=["resolved", "resolved_by", "resolved_at", "notes"])
    return error


def alert_raise(
    *,
    type: str,
    message: str,
    severity: str = AdminAlert.Severity.WARNING,
    resource_type: str = "",
    resource_id: object = "",
    deduplicate: bool = True,
) -> AdminAlert:
    """Raises an alert for staff. With ``deduplicate`` (the default), an alert of the same type
    about the same object that nobody has read or dismissed yet is returned instead of a new
    one: an endpoint failing a thousand deliveries is one thing to look at, not a thousand."""
    resource_id = str(resource_id) if resource_id not in (None, "") else ""
    if deduplicate:
        existing = (
            AdminAlert.objects.filter(
                type=type, resource_type=resource_type, resource_id=resource_id, is_read=False, dismissed_at=None
            )
            .order_by("-created_at")
            .first()
        )
        if existing is not None:
            return existing
    return AdminAlert.objects.create(
        type=type[:64],
        severity=severity,
        message=message[:10_000],
        resource_type=resource_type[:64],
        resource_id=resource_id[:64],
    )


# --- Staff workflows ------------------------------------------------------------------


def error_resolve_with_audit(*, error: ErrorLog, resolved_by, notes: str = "") -> ErrorLog:
    from auditlog.context import disable_auditlog

    from adminpanel.audit import audit_record

    was_resolved = error.resolved
    with transaction.atomic(), disable_auditlog():  # one explicit ERROR_RESOLVE entry, not two
        error_resolve(error=error, resolved_by_id=resolved_by.pk if resolved_by else None, notes=notes)
        audit_record(
            error, action="ERROR_RESOLVE", changes={"resolved": [str(was_resolved), "True"], "notes": ["", notes]}
        )
    return error


def alerts_mark_read(*, alert_ids: list[int] | None = None) -> int:
    """Marks the given alerts read (all unread ones when ``alert_ids`` is None)."""
    alerts = AdminAlert.objects.filter(is_read=False)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=alert_ids)
    return alerts.update(is_read=True, read_at=timezone.now())


def alert_dismiss(*, alert: AdminAlert, dismissed_by) -> AdminAlert:
    from auditlog.context import disable_auditlog

    from adminpanel.audit import audit_record

    if alert.dismissed_at is not None:
        return alert
    with transaction.atomic(), disable_auditlog():
        alert.dismissed_at, alert.dismissed_by = timezone.now(), dismissed_by
        alert.is_read, alert.read_at = True, alert.read_at or timezone.now()
        alert.save(update_fields=["dismissed_at", "dismissed_by", "is_read", "read_at"])
        audit_record(alert, action="ALERT_DISMISS", changes={"dismissed_at": ["None", str(alert.dismissed_at)]})
    return alert


def note_save(*, note: AdminNote, author) -> AdminNote:
    """Creates or updates a note; the author of a new note is the staff member writing it."""
    if note.pk is None and note.author_id is None:
        note.author = author
    note.full_clean()
    note.save()
    return note


def note_delete(*, note: AdminNote) -> None:
    """Deleting a note (django-auditlog records NOTE_DELETE with the actor)."""
    note.delete()


def admin_login_locked(*, email: str, ip_address: str | None, device: str | None = None, now=None) -> bool:
    """Too many recent failures from this address, or, for this account, on this device: further
    tries wait. ``device`` is the nonce of a valid device token for this account
    (``accounts.login_throttle.device_nonce``): such a device is held to its own budget only, so
    failures elsewhere cannot lock it out; any other device shares the account's budget."""
    now = now or timezone.now()
    since = now - timedelta(seconds=max(settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS, settings.ADMIN_LOGIN_LOCK_SECONDS))
    recent = AdminLoginFailure.objects.filter(created_at__gte=since)
    if ip_address and recent.filter(ip_address=ip_address).count() >= settings.ADMIN_LOGIN_MAX_FAILURES:
        return True
    if device is not None:
        return login_throttle.device_locked(device, now=now.timestamp()) > 0
    return bool(email) and recent.filter(email=email.strip().lower()).count() >= settings.ADMIN_LOGIN_MAX_FAILURES


@transaction.atomic
def admin_login_failed(
    *, email: str, ip_address: str | None, user_agent: str = "", device: str | None = None
) -> AdminLoginFailure:
    """Records a failed staff login (on ``device``, a device token's nonce, when it came with a
    valid one for this account); at the threshold, raises a suspicious-access alert."""
    failure = AdminLoginFailure.objects.create(
        email=email.strip().lower()[:254], ip_address=ip_address, user_agent=user_agent[:500]
    )
    if device is not None:
        login_throttle.device_failed(device)
    if admin_login_locked(email=email, ip_address=ip_address, device=device):
        alert_raise(
            type="security.suspicious_admin_access",
            severity=AdminAlert.Severity.CRITICAL,
            message=_admin_login_alert_message(failure, device=device),
            resource_type="admin_login",
            resource_id=failure.email or ip_address or "",
        )
    return failure


def _admin_login_alert_message(failure: AdminLoginFailure, *, device: str | None) -> str:
    account = failure.email or "an unknown account"
    if device is not None and (seconds_left := login_throttle.device_locked(device)):
        return (
            f"Repeated failed staff logins for {account} on a device that had logged in to it before "
            f"(a stolen device cookie?), the last from {failure.ip_address}; that device is locked for "
            f"{-(-seconds_left // 60)} minutes, the account's other devices are not."
        )
    return (
        f"{settings.ADMIN_LOGIN_MAX_FAILURES}+ failed staff logins for {account} "
        f"or from {failure.ip_address}; further tries are locked for "
        f"{settings.ADMIN_LOGIN_LOCK_SECONDS // 60} minutes."
    )


def logs_purge(*, now=None, dry_run: bool = False) -> dict[str, int]:
    """Deletes log entries older than their retention (settings.LOG_RETENTION_DAYS)."""
    from auditlog.models import LogEntry

    from emails_app.models import EmailLog
    from webhooks_app.models import WebhookDelivery

    now = now or timezone.now()
    retention = settings.LOG_RETENTION_DAYS

    def older(days: int) -> object:
        return now - timedelta(days=days)

    querysets = {
        "activity": ActivityLog.objects.filter(created_at__lt=older(retention["activity"])),
        # Unresolved errors stay until someone looks at them.
        "errors": ErrorLog.objects.filter(created_at__lt=older(retention["errors"]), resolved=True),
        "emails": EmailLog.objects.filter(created_at__lt=older(retention["emails"])),
        "webhook_deliveries": WebhookDelivery.objects.filter(created_at__lt=older(retention["webhook_deliveries"])),
        "audit": LogEntry.objects.filter(timestamp__lt=older(retention["audit"])),
        "login_failures": AdminLoginFailure.objects.filter(created_at__lt=older(retention["login_failures"])),
    }
    counts = {}
    for kind, queryset in querysets.items():
        counts[kind] = queryset.count() if dry_run else queryset.delete()[0]
    return counts
