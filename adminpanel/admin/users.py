"""The user page as staff see it: the accounts app's UserAdmin, extended with what the operations
app owns or sees across apps: notes inline, the user's champions, sessions and activity."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import UserAdmin
from accounts.models import User
from adminpanel import services
from adminpanel.models import ActivityLog, AdminNote

RELATED_ROWS = 10


class AdminNoteInline(admin.TabularInline):
    model = AdminNote
    fk_name = "user"
    fields = ["content", "is_pinned", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[AdminNote]:
        return super().get_queryset(request).select_related("author")


class StaffUserAdmin(UserAdmin):
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Their data", {"fields": ["champions_overview", "sessions_overview", "recent_activity"]}),
    ]
    readonly_fields = [*UserAdmin.readonly_fields, "champions_overview", "sessions_overview", "recent_activity"]
    inlines = [AdminNoteInline]

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: forms.BaseFormSet, change: bool) -> None:
        for note in formset.save(commit=False):
            services.note_save(note=note, author=request.user)
        for note in formset.deleted_objects:
            services.note_delete(note=note)

    @admin.display(description="champions")
    def champions_overview(self, user: User) -> str:
        champions = user.champions.order_by("-created_at").values_list("id", "name", "status")[:RELATED_ROWS]
        return (
            format_html_join(
                "",
                '<div><a href="{}">{}</a> ({})</div>',
                (
                    (reverse("admin:champions_champion_change", args=[pk]), name, status)
                    for pk, name, status in champions
                ),
            )
            or "–"
        )

    @admin.display(description="training sessions")
    def sessions_overview(self, user: User) -> str:
        sessions = user.training_sessions.order_by("-started_at").values_list(
            "id", "status", "outcome", "overall_score", "started_at"
        )[:RELATED_ROWS]
        return (
            format_html_join(
                "",
                '<div><a href="{}">#{}</a> {} {} score {} – {}</div>',
                (
                    (
                        reverse("admin:training_trainingsession_change", args=[pk]),
                        pk,
                        status,
                        outcome or "",
                        score if score is not None else "–",
                        started.date(),
                    )
                    for pk, status, outcome, score, started in sessions
                ),
            )
            or "–"
        )

    @admin.display(description="recent activity")
    def recent_activity(self, user: User) -> str:
        rows = (
            ActivityLog.objects.filter(user=user)
            .order_by("-created_at")
            .values_list("created_at", "action")[:RELATED_ROWS]
        )
        link = reverse("admin:adminpanel_activitylog_changelist") + f"?user__id__exact={user.pk}"
        listed = format_html_join("", "<div>{} {}</div>", ((f"{at:%Y-%m-%d %H:%M}", action) for at, action in rows))
        return format_html('{}<div><a href="{}">all activity</a></div>', listed, link)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
