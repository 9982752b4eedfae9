from django.contrib import admin

from accounts.models import SubscriptionEvent, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "full_name",
        "role",
        "subscription_plan",
        "subscription_status",
        "journey_stage",
        "is_active",
        "last_activity_at",
        "date_joined",
    ]
    list_filter = ["role", "subscription_plan", "subscription_status", "journey_stage", "is_active"]
    search_fields = ["email", "full_name"]
    ordering = ["-date_joined"]
    show_full_result_count = False
    readonly_fields = ["login_count", "last_login_at", "last_activity_at", "date_joined", "token_version"]
    exclude = ["password", "groups", "user_permissions"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SubscriptionEvent)
class SubscriptionEventAdmin(admin.ModelAdmin):
    list_display = ["user", "event_type", "from_plan", "to_plan", "created_at"]
    list_filter = ["event_type", "to_plan"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "changed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
