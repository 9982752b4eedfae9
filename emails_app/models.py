"""Lifecycle emails: editable templates, one log row per email, and who unsubscribed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Trigger(models.TextChoices):
    WELCOME = "welcome", "Welcome (registration)"
    CHAMPION_READY = "champion_ready", "Champion ready (analysis finished)"
    CHAMPION_FAILED = "champion_failed", "Champion failed (analysis failed)"
    TRAINING_COMPLETED = "training_completed", "Training completed"
    INACTIVE_REMINDER = "inactive_reminder", "Inactive reminder (churn risk)"
    SUBSCRIPTION_CHANGED = "subscription_changed", "Subscription changed"
    # Teams (README.md, "Teams"): to the assignee, when a manager assigns practice and a day
    # before it is due.
    ASSIGNMENT_CREATED = "assignment_created", "Assignment given (to the assignee)"
    ASSIGNMENT_DUE_SOON = "assignment_due_soon", "Assignment due tomorrow (to the assignee)"


class EmailTemplate(models.Model):
    """Subject and bodies in Django's template language, rendered on a plain context (see
    ``emails_app.rendering.variables``). The HTML body is placed in the site's email
    layout, which adds the unsubscribe link."""

    trigger = models.CharField(max_length=32, choices=Trigger.choices, unique=True)
    subject = models.CharField(max_length=200)
    body_html = models.TextField("HTML body")
    body_text = models.TextField(
        "text body", blank=True, help_text="Leave empty to derive the text version from the HTML body."
    )
    is_active = models.BooleanField(default=True, help_text="An inactive template sends nothing.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trigger"]

    def __str__(self) -> str:
        return self.get_trigger_display()


class EmailLog(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Not sent on purpose: the user unsubscribed, or the account is inactive.
        SUPPRESSED = "suppressed", "Suppressed"

    # Null for an email to an address that is not (or not yet) an account's: a team invitation.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="email_logs"
    )
    trigger = models.CharField(max_length=32, choices=Trigger.choices)
    # What made this email: the domain event's id, "inactive:<period>", "test:<uuid>". With
    # user and trigger it is unique: the same event never sends the same email twice.
    dedupe_key = models.CharField(max_length=80)
    template = models.ForeignKey(EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recipient = models.EmailField()
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(max_length=255, blank=True)
    # The links the email contained, in order: the click redirect goes only to one of these.
    links = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "trigger", "dedupe_key"], name="email_log_unique_per_cause"),
            # NULLs are distinct in a unique index: an email to an address alone needs its own.
            models.UniqueConstraint(
                fields=["trigger", "dedupe_key"],
                condition=models.Q(user__isnull=True),
                name="email_log_unique_per_cause_without_user",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="email_log_created_idx"),
            models.Index(fields=["status", "created_at"], name="email_log_status_created_idx"),
            models.Index(fields=["trigger", "created_at"], name="email_log_trigger_created_idx"),
            models.Index(fields=["user", "trigger", "-created_at"], name="email_log_user_trigger_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.trigger} to {self.recipient} ({self.status})"


class EmailPreference(models.Model):
    """Whether a user receives lifecycle emails. No row means subscribed."""

    class Source(models.TextChoices):
        LINK = "link", "Unsubscribe link"
        ONE_CLICK = "one_click", "One-click (mail client)"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    unsubscribed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {'unsubscribed' if self.unsubscribed_at else 'subscribed'}"

    @property
    def is_unsubscribed(self) -> bool:
        return self.unsubscribed_at is not None
