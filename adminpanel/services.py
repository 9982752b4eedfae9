"""Writes of the operations app: activity and error records."""

from __future__ import annotations

import traceback
from typing import Any

from django.utils import timezone

from adminpanel.models import ActivityLog, ErrorLog


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
