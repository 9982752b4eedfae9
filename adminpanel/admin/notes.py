"""Notes (/admin/users/{id}/notes, /admin/notes/{id}): also inline on the user's page."""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from adminpanel import services
from adminpanel.models import AdminNote


@admin.register(AdminNote)
class AdminNoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "short_content", "is_pinned", "author"]
    list_filter = ["is_pinned"]
    list_select_related = ["user", "author"]
    search_fields = ["content", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["author", "created_at", "updated_at"]
    fields = ["user", "content", "is_pinned", "author", "created_at", "updated_at"]
    show_full_result_count = False

    @admin.display(description="note")
    def short_content(self, note: AdminNote) -> str:
        return note.content[:80]

    def save_model(self, request: HttpRequest, obj: AdminNote, form: ModelForm, change: bool) -> None:
        services.note_save(note=obj, author=request.user)
