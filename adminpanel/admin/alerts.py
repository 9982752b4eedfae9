"""Alerts (/admin/alerts*): read, dismiss (audited), read all."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from adminpanel import services
from adminpanel.models import AdminAlert
from core.admin import ReadOnlyAdmin


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("dismissed", "Dismissed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AdminAlert]) -> QuerySet[AdminAlert]:
        if self.value() == "open":
            return queryset.filter(dismissed_at__isnull=True)
        if self.value() == "dismissed":
            return queryset.filter(dismissed_at__isnull=False)
        return queryset


@admin.register(AdminAlert)
class AdminAlertAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "severity",
        "type",
        "short_message",
        "resource_type",
        "resource_id",
        "is_read",
        "dismissed_at",
        "dismissed_by",
    ]
    list_filter = [OpenFilter, "severity", "type", "is_read"]
    list_select_related = ["dismissed_by"]
    search_fields = ["message", "resource_id"]
    date_hierarchy = "created_at"
    actions = ["mark_read", "dismiss"]
    change_list_template = "admin/adminpanel/adminalert/change_list.html"

    @admin.display(description="message")
    def short_message(self, obj: AdminAlert) -> str:
        return obj.message[:100]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("adminpanel.change_adminalert") and obj is None

    @admin.action(description="Mark read", permissions=["change"])
    def mark_read(self, request: HttpRequest, queryset: QuerySet[AdminAlert]) -> None:
        count = services.alerts_mark_read(alert_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} alert(s) marked read.", messages.SUCCESS)

    @admin.action(description="Dismiss", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[AdminAlert]) -> None:
        count = 0
        for alert in queryset.filter(dismissed_at__isnull=True):
            services.alert_dismiss(alert=alert, dismissed_by=request.user)
            count += 1
        self.message_user(request, f"{count} alert(s) dismissed.", messages.SUCCESS)

    def get_urls(self) -> list:
        return [
            path("read-all/", self.admin_site.admin_view(self.read_all_view), name="adminpanel_adminalert_read_all"),
            *super().get_urls(),
        ]

    def read_all_view(self, request: HttpRequest) -> HttpResponse:
        """/admin/alerts/read-all: a confirmation page on GET, the action on POST."""
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        if request.method == "POST":
            count = services.alerts_mark_read()
            self.message_user(request, f"{count} alert(s) marked read.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:adminpanel_adminalert_changelist"))
        unread = AdminAlert.objects.filter(is_read=False).count()
        return TemplateResponse(
            request,
            "admin/adminpanel/adminalert/read_all.html",
            {
                **self.admin_site.each_context(request),
                "title": "Mark all alerts read",
                "unread": unread,
                "opts": self.model._meta,
            },
        )
