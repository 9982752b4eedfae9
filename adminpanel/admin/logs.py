"""Activities (/admin/activities) and errors (/admin/errors*, resolve with a note)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from adminpanel import services
from adminpanel.admin.big_tables import FilteredEstimatePaginator, IndexedValuesFilter, RangeDatesQuerySet
from adminpanel.models import ActivityLog, ErrorLog
from core.admin import ReadOnlyAdmin


class ActionFilter(IndexedValuesFilter):
    field_name = "action"


class ResourceTypeFilter(IndexedValuesFilter):
    field_name = "resource_type"


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    """A million rows and more: no COUNT(*) of the whole table (the planner's estimate), filter
    choices and date drill-down from the indexes (``big_tables``)."""

    paginator = FilteredEstimatePaginator
    list_display = ["created_at", "action", "user", "resource_type", "resource_id", "ip_address"]
    list_filter = [ActionFilter, ResourceTypeFilter]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    search_fields = ["user__email", "resource_id"]
    raw_id_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ActivityLog]:
        queryset = super().get_queryset(request)
        return RangeDatesQuerySet(model=queryset.model, query=queryset.query, using=queryset.db)


class ResolveForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        required=False,
        help_text="What was done, for the next person.",
    )


@admin.register(ErrorLog)
class ErrorLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "error_type", "short_message", "user", "request_path", "source", "resolved"]
    list_filter = ["resolved", "error_type"]
    list_select_related = ["user"]
    search_fields = ["message", "request_path", "source"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "resolved_by"]
    readonly_fields = [
        "created_at",
        "error_type",
        "message",
        "stack_trace",
        "user",
        "request_path",
        "source",
        "resolved",
        "resolved_by",
        "resolved_at",
        "notes",
    ]
    actions = ["mark_resolved"]

    @admin.display(description="message")
    def short_message(self, obj: ErrorLog) -> str:
        return obj.message[:80]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Viewing stays read-only; "change" is what the resolve action needs (support has it).
        return request.user.has_perm("adminpanel.change_errorlog") and obj is None

    @admin.action(description="Mark resolved (with a note)", permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[ErrorLog]) -> HttpResponse | None:
        if "apply" in request.POST:
            form = ResolveForm(request.POST)
            if form.is_valid():
                count = 0
                for error in queryset.filter(resolved=False):
                    services.error_resolve_with_audit(
                        error=error, resolved_by=request.user, notes=form.cleaned_data["notes"]
                    )
                    count += 1
                self.message_user(request, f"{count} error(s) marked resolved.", messages.SUCCESS)
                return None
        else:
            form = ResolveForm()
        return TemplateResponse(
            request,
            "admin/adminpanel/errorlog/resolve.html",
            {
                **self.admin_site.each_context(request),
                "title": "Resolve errors",
                "errors": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
