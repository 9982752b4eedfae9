from django.contrib import admin

from adminpanel.models import ActivityLog, AdminAlert, ErrorLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are written by the system, never by hand."""

    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "user", "resource_type", "resource_id", "ip_address"]
    list_filter = ["action", "resource_type"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    search_fields = ["user__email", "resource_id"]


@admin.register(ErrorLog)
class ErrorLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "error_type", "short_message", "user", "request_path", "resolved"]
    list_filter = ["resolved", "error_type"]
    list_select_related = ["user"]
    search_fields = ["message", "request_path", "source"]

    @admin.display(description="message")
    def short_message(self, obj: ErrorLog) -> str:
        return obj.message[:80]


@admin.register(AdminAlert)
class AdminAlertAdmin(ReadOnlyAdmin):
    """A basic read-only list; the alerts workflow (read, dismiss, read all) is its own issue."""

    list_display = ["created_at", "severity", "type", "short_message", "resource_type", "resource_id", "is_read"]
    list_filter = ["severity", "type", "is_read"]
    search_fields = ["message", "resource_id"]
    date_hierarchy = "created_at"

    @admin.display(description="message")
    def short_message(self, obj: AdminAlert) -> str:
        return obj.message[:80]
