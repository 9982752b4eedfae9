"""Writes of the operations app: activity and error records."""

from __future__ import annotations

import traceback
from typing import Any

from django.utils import timezone

from adminpanel.models import ActivityLog, AdminAlert, ErrorLog


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
