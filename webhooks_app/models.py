"""Outgoing webhooks, following Standard Webhooks (the specification is linked in
``services/outcomes.py``): endpoints, one delivery per (endpoint, message) and one row per
HTTP attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedCharField, EncryptedJSONField

from core import events

# A test event sent from the admin; receivers see it like any other type.
TEST_EVENT = "webhook.test"
DELIVERABLE_EVENT_TYPES = (*events.EVENT_TYPES, TEST_EVENT)
EVENT_TYPE_CHOICES = [(event_type, event_type) for event_type in DELIVERABLE_EVENT_TYPES]


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=2000)
    # whsec_ + base64 of 32 random bytes. Signing needs it back, so it is encrypted rather than
    # hashed (Fernet, keyed from SECRET_KEY: a copy of the database alone cannot sign). Never
    # shown again after creation or regeneration, never in the audit log.
    secret = EncryptedCharField(max_length=100, editable=False)
    # Secrets replaced within the grace period, each still signing beside the current one
    # until its expiry so receivers can switch without losing deliveries:
    # [{"secret": "whsec_...", "expires_at": "<ISO 8601>"}], newest first.
    retired_secrets = EncryptedJSONField(default=list, blank=True, editable=False)
    # The event types this endpoint receives; empty means all of them.
    event_types = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    # Start of the current run of failed attempts (none since the last success); the endpoint
    # is disabled when it lasts longer than WEBHOOK_DISABLE_AFTER_DAYS.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["is_active"], name="webhook_endpoint_active_idx")]

    def __str__(self) -> str:
        return self.name

    def receives(self, event_type: str) -> bool:
        if event_type == TEST_EVENT:
            return True
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One message to one endpoint. ``message_id`` is the ``webhook-id`` header: the same on
    every attempt, so receivers can drop duplicates."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64, choices=EVENT_TYPE_CHOICES)
    message_id = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (swept by beat). Also a short lease while an attempt runs.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Until when an enqueued attempt task is expected to run: the sweep leaves the delivery
    # alone before then, so a backlog on the broker is not enqueued again on every sweep.
    dispatched_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response_excerpt = models.CharField(max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message_id"], name="webhook_delivery_unique_message"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
            models.Index(fields=["event_type", "-created_at"], name="webhook_delivery_event_idx"),
            models.Index(fields=["created_at"], name="webhook_delivery_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    # The address the connection went to, after the SSRF check.
    remote_address = models.CharField(max_length=64, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
