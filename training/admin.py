"""Training sessions (/admin/sessions): read-only, messages with their evaluations inline."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from training.models import SessionMessage, TrainingSession


class MessageInline(admin.TabularInline):
    model = SessionMessage
    fields = ["turn_index", "role", "content", "score", "criteria", "feedback", "champion_reference", "judge"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["turn_index"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "user",
        "champion",
        "status",
        "outcome",
        "overall_score",
        "turn_count",
        "started_at",
        "ended_at",
    ]
    list_filter = ["status", "outcome", "champion", "started_at"]
    list_select_related = ["user", "champion"]
    search_fields = ["user__email", "champion__name"]
    date_hierarchy = "started_at"
    raw_id_fields = ["user", "champion", "scenario"]
    inlines = [MessageInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrainingSession]:
        return super().get_queryset(request).defer("scenario_snapshot")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in TrainingSession._meta.fields]
