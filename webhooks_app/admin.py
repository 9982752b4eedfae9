"""Staff pages for webhooks: endpoints (CRUD, test event, secret regeneration, enable and
disable) and the read-only delivery log with "retry now". Writes go through services."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core import events
from core.errors import DomainError
from webhooks_app import services
from webhooks_app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

SECRET_TEMPLATE = "admin/webhooks_app/webhookendpoint/secret.html"  # noqa: S105 (a template name)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        max_length=2000,
        assume_scheme="https",
        help_text="Must resolve to a public address (or one inside WEBHOOK_ALLOWED_NETWORKS).",
    )
    event_types = forms.MultipleChoiceField(
        choices=[(event_type, event_type) for event_type in events.EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unchecked to receive every event type, including future ones.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                services.endpoint_url_validate(url)
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return url


def _secret_page(
    request: HttpRequest,
    endpoints_with_secrets: list[tuple[WebhookEndpoint, str]],
    *,
    title: str,
    admin_site: admin.AdminSite,
) -> HttpResponse:
    """The one time a secret is shown. Not cached anywhere."""
    response = TemplateResponse(
        request,
        SECRET_TEMPLATE,
        {
            **admin_site.each_context(request),
            "title": title,
            "opts": WebhookEndpoint._meta,
            "rows": endpoints_with_secrets,
            "changelist_url": reverse("admin:webhooks_app_webhookendpoint_changelist"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    change_form_template = "admin/webhooks_app/webhookendpoint/change_form.html"
    list_display = [
        "name",
        "url",
        "is_active",
        "subscribed_events",
        "consecutive_failures",
        "last_success_at",
        "disabled_reason",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = [
        "secret_status",
        "consecutive_failures",
        "failing_since",
        "last_success_at",
        "disabled_reason",
        "disabled_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    actions = ["send_test_event", "regenerate_secret", "enable_endpoints", "disable_endpoints"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("created_by")
        return queryset.defer("secret", "retired_secrets")

    @admin.display(description="events")
    def subscribed_events(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.event_types) if obj.event_types else "all"

    @admin.display(description="secret")
    def secret_status(self, obj: WebhookEndpoint) -> str:
        # Never the secret itself: it was shown once, on creation or regeneration.
        if obj.pk is None:
            return "Generated when the endpoint is saved, and shown once."
        text = "Set (shown once, when created or regenerated)."
        valid_until = services.retired_secrets_valid_until(obj, timezone.now())
        if valid_until:
            text += f" Replaced secrets also sign until {valid_until:%Y-%m-%d %H:%M} UTC."
        return text

    # --- Writes through services ------------------------------------------------------

    def save_model(self, request, obj: WebhookEndpoint, form, change: bool) -> None:
        if change:
            editable = ("name", "url", "event_types", "is_active")
            services.endpoint_update(endpoint=obj, **{name: form.cleaned_data[name] for name in editable})
        else:
            services.endpoint_save_new(endpoint=obj, created_by_id=request.user.pk)

    def delete_model(self, request, obj: WebhookEndpoint) -> None:
        services.endpoint_delete(endpoint=obj)

    def delete_queryset(self, request, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_delete(endpoint=endpoint)

    def response_add(self, request, obj: WebhookEndpoint, post_url_continue=None):
        if "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(request, [(obj, obj.secret)], title="Webhook endpoint created", admin_site=self.admin_site)

    # --- Per-object workflow pages ----------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/regenerate-secret/",
                wrap(self.regenerate_secret_view),
                name="webhooks_app_webhookendpoint_regenerate_secret",
            ),
            path(
                "<int:object_id>/send-test/", wrap(self.send_test_view), name="webhooks_app_webhookendpoint_send_test"
            ),
            *super().get_urls(),
        ]

    def regenerate_secret_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        endpoint = get_object_or_404(WebhookEndpoint, pk=object_id)
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        if request.method == "POST":
            secret = services.endpoint_regenerate_secret(endpoint=endpoint)
            return _secret_page(request, [(endpoint, secret)], title="New webhook secret", admin_site=self.admin_site)
        return TemplateResponse(
            request,
            "admin/webhooks_app/webhookendpoint/confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Regenerate the secret of {endpoint.name}?",
                "opts": self.opts,
                "original": endpoint,
                "explanation": (
                    "A new secret is generated and shown once. The current secret keeps signing deliveries "
                    "beside the new one for the grace period, so the receiver can switch without losing any."
                ),
                "button": "Regenerate the secret",
            },
        )

    def send_test_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        endpoint = get_object_or_404(WebhookEndpoint, pk=object_id)
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        if request.method == "POST":
            self._send_test(request, endpoint)
            return HttpResponseRedirect(reverse("admin:webhooks_app_webhookendpoint_change", args=[endpoint.pk]))
        return TemplateResponse(
            request,
            "admin/webhooks_app/webhookendpoint/confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Send a test event to {endpoint.name}?",
                "opts": self.opts,
                "original": endpoint,
                "explanation": "A signed webhook.test event is delivered now; its delivery appears in the log.",
                "button": "Send the test event",
            },
        )

    def _send_test(self, request: HttpRequest, endpoint: WebhookEndpoint) -> bool:
        try:
            delivery = services.endpoint_send_test_event(endpoint=endpoint)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return False
        self.message_user(request, f"Test event {delivery.message_id} queued for {endpoint.name}.", messages.SUCCESS)
        return True

    # --- Actions ----------------------------------------------------------------------

    @admin.action(description="Send a test event", permissions=["change"])
    def send_test_event(self, request, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            self._send_test(request, endpoint)

    @admin.action(description="Regenerate the secret (shown once)", permissions=["change"])
    def regenerate_secret(self, request, queryset: QuerySet[WebhookEndpoint]) -> HttpResponse:
        with transaction.atomic():
            rows = [(endpoint, services.endpoint_regenerate_secret(endpoint=endpoint)) for endpoint in queryset]
        return _secret_page(request, rows, title="New webhook secrets", admin_site=self.admin_site)

    @admin.action(description="Enable", permissions=["change"])
    def enable_endpoints(self, request, queryset: QuerySet[WebhookEndpoint]) -> None:
        enabled = 0
        for endpoint in queryset.filter(is_active=False):
            try:
                services.endpoint_enable(endpoint=endpoint)
                enabled += 1
            except DomainError as exc:
                self.message_user(request, f"{endpoint.name}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{enabled} endpoint(s) enabled.", messages.SUCCESS)

    @admin.action(description="Disable", permissions=["change"])
    def disable_endpoints(self, request, queryset: QuerySet[WebhookEndpoint]) -> None:
        disabled = 0
        for endpoint in queryset.filter(is_active=True):
            services.endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user.email}.")
            disabled += 1
        self.message_user(request, f"{disabled} endpoint(s) disabled.", messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "attempted_at", "remote_address", "response_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "message_id",
        "status",
        "attempts",
        "last_response_code",
        "last_duration_ms",
        "next_attempt_at",
    ]
    list_filter = [
        "status",
        "event_type",
        ("endpoint", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["endpoint"]
    search_fields = ["message_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AttemptInline]
    actions = ["retry_now"]
    exclude = ["payload"]
    readonly_fields = [
        "endpoint",
        "event_type",
        "message_id",
        "pretty_payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_response_code",
        "last_response_excerpt",
        "last_duration_ms",
        "last_error",
        "created_at",
        "completed_at",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.defer("payload")  # up to 20 KB each, not shown in the list
        return queryset

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        # Read-only records, but retrying is a staff operation like changing an endpoint.
        return request.user.has_perm("webhooks_app.change_webhookendpoint")

    @admin.display(description="payload")
    def pretty_payload(self, obj: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, sort_keys=True))

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset: QuerySet[WebhookDelivery]) -> None:
        retried = 0
        for delivery in queryset.exclude(status=WebhookDelivery.Status.SUCCEEDED):
            try:
                services.delivery_retry_now(delivery=delivery)
                retried += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery.message_id}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{retried} delivery(ies) queued for another attempt.", messages.SUCCESS)
