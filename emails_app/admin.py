"""Staff pages for emails: templates (CRUD with a rendered preview and "send test email to
me"), the read-only email log, and who unsubscribed. Writes go through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin

from emails_app import rendering, services
from emails_app.models import EmailLog, EmailPreference, EmailTemplate


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["trigger", "subject", "body_html", "body_text", "is_active"]

    def clean(self):
        cleaned = super().clean()
        errors = rendering.template_errors(
            subject=cleaned.get("subject") or "",
            body_html=cleaned.get("body_html") or "",
            body_text=cleaned.get("body_text") or "",
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateForm
    list_display = ["trigger", "subject", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["subject"]
    readonly_fields = ["available_variables", "preview", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["trigger", "is_active", "subject", "body_html", "body_text"]}),
        ("Variables", {"fields": ["available_variables"]}),
        ("Preview (saved version, sample values)", {"fields": ["preview"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["send_test_email_to_me"]

    @admin.display(description="variables")
    def available_variables(self, obj: EmailTemplate) -> str:
        variables = rendering.variables_for(obj.trigger) if obj.trigger else rendering.COMMON_VARIABLES
        rows = format_html_join("", "<li><code>{{{{ {} }}}}</code>: {}</li>", sorted(variables.items()))
        return format_html(
            "<ul>{}</ul><p>Tags that load other templates or libraries, <code>|safe</code> and "
            "<code>{{% autoescape %}}</code> are refused; a link may use only {}; a template nests at most {} "
            "tags deep and renders at most {} characters.</p>",
            rows,
            ", ".join(f"{{{{ {name} }}}}" for name in sorted(rendering.LINK_VARIABLES)),
            rendering.limits.MAX_NESTING_DEPTH,
            f"{rendering.limits.MAX_OUTPUT_CHARS:,}",
        )

    @admin.display(description="preview")
    def preview(self, obj: EmailTemplate) -> str:
        if obj.pk is None:
            return "Save the template to see it rendered."
        try:
            parts = rendering.render_parts(
                subject=obj.subject, body_html=obj.body_html, body_text=obj.body_text, context=rendering.SAMPLE_CONTEXT
            )
        except Exception as exc:
            return f"Does not render: {exc}"
        return format_html(
            "<p><strong>Subject:</strong> {}</p>"
            '<iframe src="{}" sandbox="" style="width:100%;max-width:680px;height:520px;border:1px solid #ccc;"></iframe>'
            "<p><strong>Text version:</strong></p><pre>{}</pre>",
            parts.subject,
            reverse("admin:emails_app_emailtemplate_preview", args=[obj.pk]),
            parts.text,
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="emails_app_emailtemplate_preview",
            ),
            *super().get_urls(),
        ]

    @xframe_options_sameorigin
    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        template = get_object_or_404(EmailTemplate, pk=object_id)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        parts = rendering.render_parts(
            subject=template.subject,
            body_html=template.body_html,
            body_text=template.body_text,
            context=rendering.SAMPLE_CONTEXT,
        )
        html = render_to_string(
            "emails/layout.html",
            {
                "subject": parts.subject,
                "site_name": services.SITE_NAME,
                "content": mark_safe(parts.html),  # noqa: S308
                "unsubscribe_url": "#unsubscribe",
                "open_pixel_url": "",
            },
        )
        response = HttpResponse(html)
        # Staff-written HTML shown inside the admin: no script, no form, no outside request.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
        return response

    def save_model(self, request, obj: EmailTemplate, form, change: bool) -> None:
        services.template_save(template=obj)  # the form has put its values on obj

    def delete_model(self, request, obj: EmailTemplate) -> None:
        services.template_delete(template=obj)

    def delete_queryset(self, request, queryset: QuerySet[EmailTemplate]) -> None:
        for template in queryset:
            services.template_delete(template=template)

    @admin.action(description="Send a test email to me", permissions=["view"])
    def send_test_email_to_me(self, request, queryset: QuerySet[EmailTemplate]) -> None:
        for template in queryset:
            services.template_send_test(template=template, to_user=request.user)
        self.message_user(
            request, f"{queryset.count()} test email(s) queued to {request.user.email}.", messages.SUCCESS
        )


class OpenedFilter(admin.SimpleListFilter):
    title = "opened"
    parameter_name = "opened"
    field = "opened_at"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class ClickedFilter(OpenedFilter):
    title = "clicked"
    parameter_name = "clicked"
    field = "clicked_at"


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "trigger", "recipient", "status", "attempts", "sent_at", "opened_at", "clicked_at"]
    list_filter = ["status", "trigger", OpenedFilter, ClickedFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["recipient", "message_id", "subject"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    raw_id_fields = ["user", "template"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in EmailLog._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "unsubscribed_at", "source", "updated_at"]
    list_filter = ["source"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    show_full_result_count = False
    readonly_fields = ["user", "unsubscribed_at", "source", "updated_at"]
    actions = ["resubscribe"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting the row would subscribe the user again, silently

    @admin.action(description="Subscribe again (only when the user asked for it)", permissions=["change"])
    def resubscribe(self, request, queryset: QuerySet[EmailPreference]) -> None:
        for preference in queryset:
            services.email_resubscribe(user_id=preference.user_id)
        self.message_user(request, f"{queryset.count()} user(s) subscribed again.", messages.SUCCESS)
