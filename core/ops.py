"""Operations facilities every app may use: raise an alert for staff, record an error, write an
explicit audit entry.

The operations app (``adminpanel``) stores them. It registers its handlers here when Django
starts (``champion_clone.subscriptions``), so that the apps raising alerts import nothing from
it: the dependency points down, to this module, and the handlers are called in the caller's
transaction, as a direct call would be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from django.db import models

from core.metrics.registry import ALERTS_RAISED

logger = structlog.get_logger(__name__)


class AlertSeverity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"
    CRITICAL = "critical", "Critical"


@dataclass(frozen=True)
class Alert:
    # Namespaced by the app that raises it ("webhook.endpoint_disabled").
    type: str
    message: str
    severity: str = AlertSeverity.WARNING
    resource_type: str = ""
    resource_id: str = ""
    # An unread alert of the same type about the same object is kept instead of a new one.
    deduplicate: bool = True


class OpsHandlers(Protocol):
    def alert(self, alert: Alert) -> None: ...

    def error(self, exc: BaseException, *, source: str) -> None: ...

    def audit(
        self, instance: models.Model, *, action: str, changes: dict[str, list[Any]], extra: dict[str, Any]
    ) -> None: ...


_handlers: OpsHandlers | None = None


def register(handlers: OpsHandlers) -> None:
    global _handlers
    _handlers = handlers


def alert_raise(
    *,
    type: str,
    message: str,
    severity: str = AlertSeverity.WARNING,
    resource_type: str = "",
    resource_id: object = "",
    deduplicate: bool = True,
) -> None:
    """Something staff should look at. Logged too (callers need not log it again), so that it
    is seen without the admin."""
    alert = Alert(
        type=type,
        message=message,
        severity=str(severity),
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id not in (None, "") else "",
        deduplicate=deduplicate,
    )
    ALERTS_RAISED.labels(type).inc()
    logger.warning(
        "alert_raised", alert_type=type, severity=alert.severity, resource=f"{resource_type}:{alert.resource_id}"
    )
    _call("alert", lambda handlers: handlers.alert(alert), alert_type=type)


def error_record(exc: BaseException, *, source: str) -> None:
    """An error that was handled (the user got a clean answer) but that staff must fix."""
    _call("error", lambda handlers: handlers.error(exc, source=source), source=source)


def audit_record(
    instance: models.Model,
    *,
    action: str,
    changes: dict[str, list[Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """An explicit audit entry for an action that is not a plain save (resolve, regenerate a
    secret, re-run an analysis); actor and address come from the request like any other."""
    _call(
        "audit",
        lambda handlers: handlers.audit(instance, action=action, changes=changes or {}, extra=extra or {}),
        action=action,
    )


def _call(kind: str, call: Callable[[OpsHandlers], None], **context: Any) -> None:
    if _handlers is None:
        # Only a process that never loaded the operations app (a bare script) gets here.
        logger.warning("ops_handler_missing", kind=kind, **context)
        return
    call(_handlers)
