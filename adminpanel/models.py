from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.ops import AlertSeverity


class ActivityLog(models.Model):
    """What users did, one row per domain event; the dashboard counts it per day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    action = models.CharField(max_length=64)
    resource_type = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="activity_created_idx"),
            models.Index(fields=["action", "created_at"], name="activity_action_created_idx"),
            models.Index(fields=["user", "created_at"], name="activity_user_created_idx"),
            # The changelist's resource filter: its choices and its pages (adminpanel.admin.big_tables).
            models.Index(fields=["resource_type", "created_at"], name="activity_resource_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id or 'anonymous'} at {self.created_at:%Y-%m-%d %H:%M}"


class ErrorLog(models.Model):
    """Unhandled exceptions (requests and Celery tasks) and pipeline failures, for staff."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="errors"
    )
    error_type = models.CharField(max_length=128, db_index=True)
    message = models.TextField()
    stack_trace = models.TextField(blank=True)
    request_path = models.CharField(max_length=500, blank=True)
    # The Celery task name or the pipeline step, when the error did not come from a request.
    source = models.CharField(max_length=200, blank=True)
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["resolved", "created_at"], name="error_resolved_created_idx"),
            models.Index(fields=["created_at"], name="error_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.error_type}: {self.message[:60]}"


class AdminAlert(models.Model):
    """Something staff should look at (a webhook endpoint disabled, a delivery given up on).

    The object it is about is a plain (resource_type, resource_id) pair, as in ActivityLog:
    alerts outlive the object (a deleted endpoint) and need no join to be listed.
    """

    Severity = AlertSeverity  # one set of severities for every app that raises alerts

    # Free-form, namespaced by the app that raises it ("webhook.endpoint_disabled"): the apps
    # raising alerts are not known here, so there is no closed list of choices.
    type = models.CharField(max_length=64)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.WARNING)
    message = models.TextField()
    resource_type = models.CharField(max_length=64, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="alert_created_idx"),
            models.Index(fields=["is_read", "created_at"], name="alert_read_created_idx"),
            models.Index(fields=["dismissed_at", "created_at"], name="alert_dismissed_created_idx"),
            models.Index(fields=["type", "resource_type", "resource_id"], name="alert_type_resource_idx"),
        ]

    def __str__(self) -> str:
        return f"[{self.severity}] {self.type}: {self.message[:60]}"


class AdminNote(models.Model):
    """Staff notes about a user (support history, context for the next person)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content = models.TextField()
    is_pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_pinned", "-created_at"]
        indexes = [models.Index(fields=["user", "-is_pinned", "-created_at"], name="note_user_pinned_idx")]

    def __str__(self) -> str:
        return f"Note on {self.user_id}: {self.content[:50]}"


class AdminLoginFailure(models.Model):
    """Failed staff logins, kept to lock an account or an address after repeated failures."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip_address} at {self.created_at:%Y-%m-%d %H:%M}"
