"""The audit log (/admin/audit-logs*): read-only, filterable by actor, action, resource type
and date, exportable as CSV or JSON (rate-limited by the site, 5 a minute)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from auditlog.models import LogEntry
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path

from accounts.models import User
from adminpanel.audit import action_label
from core.admin import ReadOnlyAdmin
from core.paginators import EstimatedCountPaginator

EXPORT_FIELDS = [
    "id",
    "timestamp",
    "action",
    "resource_type",
    "object_id",
    "object_repr",
    "actor",
    "ip_address",
    "user_agent",
    "changes",
]


class ActorFilter(admin.SimpleListFilter):
    title = "actor"
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(pk), email) for pk, email in User.objects.filter(is_staff=True).values_list("pk", "email")[:200]]

    def queryset(self, request: HttpRequest, queryset: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        value = self.value()
        # A hand-edited URL (?actor=abc) shows everything rather than failing.
        return queryset.filter(actor_id=int(value)) if value and value.isascii() and value.isdigit() else queryset


class ActionLabelFilter(admin.SimpleListFilter):
    """The report's action names of the explicit entries (ERROR_RESOLVE, ALERT_DISMISS, ...)."""

    title = "named action"
    parameter_name = "named_action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        names = [
            "ERROR_RESOLVE",
            "ALERT_DISMISS",
            "WEBHOOK_SECRET_REGENERATE",
            "CHAMPION_REANALYZE",
            # A team's champions (README.md, "Teams"): publishing, moving, pattern edits.
            "CHAMPION_PUBLISH",
            "CHAMPION_UNPUBLISH",
            "CHAMPION_MOVE",
            "CHAMPION_PATTERN_EDIT",
        ]
        return [(name, name) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        return queryset.filter(additional_data__action=self.value()) if self.value() else queryset


def entry_row(entry: LogEntry) -> dict:
    extra = entry.additional_data or {}
    return {
        "id": entry.pk,
        "timestamp": entry.timestamp.isoformat(),
        "action": action_label(entry),
        "resource_type": f"{entry.content_type.app_label}.{entry.content_type.model}",
        "object_id": entry.object_pk,
        "object_repr": entry.object_repr,
        "actor": entry.actor.email if entry.actor else entry.actor_email,
        "ip_address": entry.remote_addr,
        "user_agent": extra.get("user_agent", ""),
        "changes": entry.changes or {},
    }


class Echo:
    def write(self, value: str) -> str:
        return value


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)  # auditlog's own admin: replaced by ours below


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    paginator = EstimatedCountPaginator
    list_display = ["timestamp", "named_action", "content_type", "object_repr", "actor", "remote_addr", "user_agent"]
    list_filter = [ActorFilter, "action", ActionLabelFilter, "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "actor__email", "changes_text"]
    date_hierarchy = "timestamp"
    readonly_fields = [
        "timestamp",
        "named_action",
        "content_type",
        "object_pk",
        "object_repr",
        "actor",
        "remote_addr",
        "user_agent",
        "changes",
        "additional_data",
    ]
    exclude = ["serialized_data", "changes_text", "cid", "remote_port", "actor_email", "object_id", "action"]
    change_list_template = "admin/auditlog/logentry/export_change_list.html"

    @admin.display(description="action")
    def named_action(self, entry: LogEntry) -> str:
        return action_label(entry)

    @admin.display(description="user agent")
    def user_agent(self, entry: LogEntry) -> str:
        return (entry.additional_data or {}).get("user_agent", "")[:80]

    def get_urls(self) -> list:
        return [
            path("export/<str:fmt>/", self.admin_site.admin_view(self.export_view), name="auditlog_logentry_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request) or fmt not in ("csv", "json"):
            return HttpResponse(status=404)
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).select_related("actor", "content_type").order_by("-timestamp")
        rows = (entry_row(entry) for entry in entries.iterator(chunk_size=500))
        if fmt == "json":
            body = json.dumps(list(rows), ensure_ascii=False, indent=1)
            response = HttpResponse(body, content_type="application/json")
        else:
            response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="audit-log.{fmt}"'
        return response


# A spreadsheet runs a cell starting with one of these as a formula; object names and user
# agents come from users ("=HYPERLINK(...)" as a champion name).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value: object) -> object:
    """OWASP's advice for CSV injection: a leading quote makes the cell plain text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES) else value


def _csv_lines(rows: Iterator[dict]) -> Iterator[str]:
    writer = csv.DictWriter(Echo(), fieldnames=EXPORT_FIELDS)
    yield ",".join(EXPORT_FIELDS) + "\r\n"
    for row in rows:
        row = {**row, "changes": json.dumps(row["changes"], ensure_ascii=False)}
        yield writer.writerow({name: _spreadsheet_safe(value) for name, value in row.items()})
