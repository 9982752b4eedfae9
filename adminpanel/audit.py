"""The audit trail (django-auditlog): which models are audited, who did it from where (actor,
IP address, user agent), and the explicit entries of actions that are not plain model saves.

The report's action names (USER_UPDATE, NOTE_CREATE, ..., ERROR_RESOLVE, ALERT_DISMISS) are
derived from an entry's model and action, or stored in ``additional_data["action"]`` for the
explicit entries.
"""

from __future__ import annotations

from typing import Any

from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import Model
from django.db.models.signals import pre_save
from django.http import HttpRequest

from core import request_context

# Model label → the report's resource name in action labels.
RESOURCE_NAMES = {
    "accounts.user": "USER",
    "adminpanel.adminnote": "NOTE",
    "adminpanel.errorlog": "ERROR",
    "adminpanel.adminalert": "ALERT",
    "champions.champion": "CHAMPION",
    "champions.championpattern": "CHAMPION_PATTERN",
    "teams.team": "TEAM",
    "teams.membership": "TEAM_MEMBER",
    "teams.invitation": "TEAM_INVITATION",
    "emails_app.emailtemplate": "EMAIL_TEMPLATE",
    "webhooks_app.webhookendpoint": "WEBHOOK",
}
ACTION_VERBS = {LogEntry.Action.CREATE: "CREATE", LogEntry.Action.UPDATE: "UPDATE", LogEntry.Action.DELETE: "DELETE"}


def action_label(entry: LogEntry) -> str:
    explicit = (entry.additional_data or {}).get("action")
    if explicit:
        return explicit
    resource = RESOURCE_NAMES.get(
        f"{entry.content_type.app_label}.{entry.content_type.model}", entry.content_type.model.upper()
    )
    return f"{resource}_{ACTION_VERBS.get(entry.action, 'ACCESS')}"


def audit_record(
    instance: Model, *, action: str, changes: dict[str, list[Any]] | None = None, extra: dict[str, Any] | None = None
) -> LogEntry:
    """An explicit entry for an action that is not a plain save (resolve, dismiss, regenerate
    a secret, re-run an analysis). Actor and IP come from the request like any other entry."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes=changes or {},
        additional_data={"action": action, **(extra or {})},
    )


def _add_user_agent(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:
    context = request_context.current()
    if context.user_agent:
        instance.additional_data = {**(instance.additional_data or {}), "user_agent": context.user_agent}


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the client IP decided like everywhere else in the project:
    REMOTE_ADDR, or the trusted proxy's header only when configured (auditlog's own would
    believe any X-Forwarded-For a client sends)."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return request_context.client_ip(request)


def connect() -> None:
    from accounts.models import User
    from adminpanel.models import AdminNote
    from champions.models import Champion
    from teams.models import Invitation, Membership, Team

    if not auditlog.contains(User):
        # Never the password hash; the fields staff change, with old and new values.
        auditlog.register(
            User,
            include_fields=[
                "email",
                "full_name",
                "role",
                "is_active",
                "is_staff",
                "is_superuser",
                "subscription_plan",
                "subscription_status",
            ],
        )
        auditlog.register(AdminNote)
        # Errors and alerts are written by the system; what staff do to them (resolve,
        # dismiss) is logged explicitly by their services (ERROR_RESOLVE, ALERT_DISMISS).
        auditlog.register(Champion, include_fields=["name", "owner"])
        # Who joined, left or changed role, whether through the product or the admin. Pattern
        # edits, publishing and moves are explicit entries of their services (CHAMPION_*):
        # a pattern row is not registered, since every re-analysis rewrites them all.
        auditlog.register(Team, include_fields=["name", "leaderboard_enabled"])
        auditlog.register(Membership, include_fields=["team", "user", "role"])
        # Never the nonce: with the invitation's id it makes the link.
        auditlog.register(Invitation, include_fields=["team", "email", "role", "accepted_at", "revoked_at"])
    pre_save.connect(_add_user_agent, sender=LogEntry, dispatch_uid="adminpanel.audit_user_agent")
