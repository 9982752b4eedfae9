"""Where the operations facilities of ``core.ops`` land: alerts and error records in this app's
tables, explicit entries in the audit log. Registered by ``champion_clone.subscriptions``."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from adminpanel import audit, services
from core.ops import Alert


class AdminPanelOpsHandlers:
    def alert(self, alert: Alert) -> None:
        services.alert_raise(
            type=alert.type,
            message=alert.message,
            severity=alert.severity,
            resource_type=alert.resource_type,
            resource_id=alert.resource_id,
            deduplicate=alert.deduplicate,
        )

    def error(self, exc: BaseException, *, source: str) -> None:
        services.error_record_exception(exc, source=source)

    def audit(self, instance: Model, *, action: str, changes: dict[str, list[Any]], extra: dict[str, Any]) -> None:
        audit.audit_record(instance, action=action, changes=changes, extra=extra)
