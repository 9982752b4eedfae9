"""Sending lifecycle emails: at most once per user, trigger and cause (one EmailLog row each),
and enqueueing the sends that the admin and the daily reminder start (by the task's
registered name, after commit: the enqueue rule in README.md, "Architecture")."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.selectors import churn_risk_q
from core.tasks import enqueue_on_commit
from emails_app import defaults, rendering
from emails_app.models import EmailLog, EmailPreference, EmailTemplate, Trigger
from emails_app.services.context import context_for
from emails_app.services.messages import is_transient, message_build, message_id_for

logger = structlog.get_logger(__name__)

SEND_TASK = "emails_app.tasks.send_lifecycle_email"


class TransientEmailError(Exception):
    """The SMTP server could not take the message now; sending again later may work."""


def is_unsubscribed(user_id: int) -> bool:
    return EmailPreference.objects.filter(user_id=user_id, unsubscribed_at__isnull=False).exists()


def _source_for(trigger: str, *, test: bool) -> EmailTemplate | defaults.DefaultTemplate | None:
    if trigger == defaults.VERIFY_EMAIL:  # built in only, never a staff-edited row
        return defaults.default_template(trigger)
    template = EmailTemplate.objects.filter(trigger=trigger).first()
    if template is None:
        return defaults.default_template(trigger)
    if not template.is_active and not test:
        return None
    return template


def lifecycle_email_send(
    *,
    user_id: int,
    trigger: str,
    dedupe_key: str,
    event_data: dict[str, Any] | None = None,
    test: bool = False,
    final_attempt: bool = True,
) -> EmailLog | None:
    """Sends the ``trigger`` email to the user once per ``dedupe_key``.

    The log row is created first (unique on user, trigger and key) and claimed with a
    conditional UPDATE before the SMTP conversation, so a repeated event or a redelivered
    task sends nothing more: at most once. A transient SMTP error puts the log back to
    ``queued`` and raises TransientEmailError for the task to retry, unless ``final_attempt``.
    ``test`` (the admin's "send test email to me") ignores the active flag and unsubscribing.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    try:
        log, _ = EmailLog.objects.get_or_create(
            user=user, trigger=trigger, dedupe_key=dedupe_key[:80], defaults={"recipient": user.email}
        )
    except IntegrityError:  # the same email, created concurrently by a duplicate task
        return EmailLog.objects.filter(user=user, trigger=trigger, dedupe_key=dedupe_key[:80]).first()
    if log.status != EmailLog.Status.QUEUED:
        return log  # sent, being sent, failed or suppressed already
    source = _source_for(trigger, test=test)
    if reason := _suppression_reason(user, trigger, source, test=test):
        return log_suppress(log, reason)
    if not _claim(log, user, source):
        return EmailLog.objects.get(pk=log.pk)
    return log_render_and_deliver(
        log, source, _context(user, trigger, event_data, test=test), final_attempt=final_attempt
    )


def log_render_and_deliver(
    log: EmailLog, source: EmailTemplate | defaults.DefaultTemplate, context: dict[str, Any], *, final_attempt: bool
) -> EmailLog:
    """A claimed log (status ``sending``) rendered from ``source`` and sent. A template that
    renders badly with real values fails the log for good: staff see why in it."""
    log.refresh_from_db()
    log.message_id = log.message_id or message_id_for(log)
    try:
        message, links = message_build(log, source, context)
    except Exception as exc:
        logger.exception("email_render_failed", log_id=log.pk, trigger=log.trigger)
        log_finish(log, EmailLog.Status.FAILED, error=f"Rendering failed: {type(exc).__name__}: {exc}")
        return log
    log.subject, log.links = message.subject, links
    log.save(update_fields=["message_id", "subject", "links"])
    log_deliver(log, message, final_attempt=final_attempt)
    return log


def _suppression_reason(user: User, trigger: str, source: object | None, *, test: bool) -> str:
    """Why this email is not sent at all ("" when it is). An address nobody has confirmed
    gets the verification email only; a confirmed one never gets that again."""
    if not test and (not user.is_active or is_unsubscribed(user.pk)):
        return "The user unsubscribed." if user.is_active else "The account is inactive."
    if source is None:
        return "The template for this trigger is inactive."
    if trigger == defaults.VERIFY_EMAIL and user.email_verified:
        return "The address is verified already."
    if trigger != defaults.VERIFY_EMAIL and not user.email_verified and not test:
        return "The address is not verified yet."
    return ""


def log_suppress(log: EmailLog, reason: str) -> EmailLog:
    EmailLog.objects.filter(pk=log.pk, status=EmailLog.Status.QUEUED).update(
        status=EmailLog.Status.SUPPRESSED, error=reason
    )
    log.refresh_from_db()
    return log


def _claim(log: EmailLog, user: User, source: EmailTemplate | defaults.DefaultTemplate) -> bool:
    """Takes the queued log for one sending attempt; False when another task has it."""
    return bool(
        EmailLog.objects.filter(pk=log.pk, status=EmailLog.Status.QUEUED).update(
            status=EmailLog.Status.SENDING,
            attempts=F("attempts") + 1,
            recipient=user.email,
            template=source if isinstance(source, EmailTemplate) else None,
        )
    )


def _context(user: User, trigger: str, event_data: dict[str, Any] | None, *, test: bool) -> dict[str, Any]:
    if test:  # the sample values, with the staff member's own name and address
        return {**rendering.SAMPLE_CONTEXT, **context_for(user=user, trigger=Trigger.WELCOME, event_data={})}
    return context_for(user=user, trigger=trigger, event_data=event_data or {})


def log_deliver(log: EmailLog, message: EmailMultiAlternatives, *, final_attempt: bool) -> None:
    """The SMTP conversation; the log ends sent, failed, or queued again for a retry."""
    try:
        message.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_transient(exc) and not final_attempt:
            log_finish(log, EmailLog.Status.QUEUED, error=error)
            raise TransientEmailError(error) from exc
        log_finish(log, EmailLog.Status.FAILED, error=error)
        logger.warning("email_failed", log_id=log.pk, trigger=log.trigger, error=error)
        return
    log_finish(log, EmailLog.Status.SENT, error="", sent_at=timezone.now())


def log_finish(log: EmailLog, status: str, *, error: str, sent_at: datetime | None = None) -> None:
    log.status, log.error, log.sent_at = status, error, sent_at
    log.save(update_fields=["status", "error", "sent_at"])


def template_send_test(*, template: EmailTemplate, to_user: User) -> str:
    """The admin's "send test email to me": a new log (so never a duplicate) sent with the
    sample context. Returns the dedupe key."""
    dedupe_key = f"test:{uuid.uuid4().hex}"
    enqueue_on_commit(
        SEND_TASK,
        kwargs={"user_id": to_user.pk, "trigger": template.trigger, "dedupe_key": dedupe_key, "test": True},
        queue=settings.EMAIL_QUEUE,
    )
    return dedupe_key


def inactive_reminders_enqueue(*, now: datetime | None = None) -> list[int]:
    """The daily beat task: users with no activity for EMAIL_INACTIVE_DAYS, who are
    subscribed, whose address is verified and who got no reminder in that period, each get
    one ``inactive_reminder``."""
    now = now or timezone.now()
    days = settings.EMAIL_INACTIVE_DAYS
    cutoff = now - timedelta(days=days)
    # One subquery for both conditions: exclude() across a multi-valued relation would test
    # them on possibly different email rows (any recent email would then skip the reminder).
    reminded_lately = EmailLog.objects.filter(
        user=OuterRef("pk"), trigger=Trigger.INACTIVE_REMINDER, created_at__gte=cutoff
    )
    at_risk = (
        User.objects.filter(churn_risk_q(days=days, now=now), is_staff=False, email_verified_at__isnull=False)
        .exclude(email_preference__unsubscribed_at__isnull=False)
        .exclude(Exists(reminded_lately))
        .values_list("id", "last_activity_at", "date_joined")
    )
    dedupe_key = f"inactive:{now.date().isoformat()}"
    user_ids = []
    for user_id, last_activity_at, date_joined in at_risk.iterator():
        user_ids.append(user_id)
        event_data = {"days_inactive": (now - (last_activity_at or date_joined)).days}
        enqueue_on_commit(
            SEND_TASK,
            kwargs={
                "user_id": user_id,
                "trigger": Trigger.INACTIVE_REMINDER,
                "dedupe_key": dedupe_key,
                "event_data": event_data,
            },
            queue=settings.EMAIL_QUEUE,
        )
    return user_ids
