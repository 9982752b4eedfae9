"""Every write of the emails app: templates, sending (one EmailLog per user, trigger and
cause), tracking and unsubscribing."""

from __future__ import annotations

import smtplib
import uuid
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any

import structlog
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import Plan, SubscriptionStatus, User
from accounts.selectors import churn_risk_q
from core.errors import InvalidInput
from emails_app import defaults, rendering, tokens
from emails_app.models import EmailLog, EmailPreference, EmailTemplate, Trigger

logger = structlog.get_logger(__name__)

SITE_NAME = "Champion Clone"


class TransientEmailError(Exception):
    """The SMTP server could not take the message now; sending again later may work."""


# --- Templates ------------------------------------------------------------------------


def _template_validate(*, subject: str, body_html: str, body_text: str) -> None:
    if errors := rendering.template_errors(subject=subject, body_html=body_html, body_text=body_text):
        raise InvalidInput(next(iter(errors.values())), fields={field: [message] for field, message in errors.items()})


@transaction.atomic
def template_save(*, template: EmailTemplate) -> EmailTemplate:
    """Validates (compiles and test-renders every part) and saves a new or changed template."""
    _template_validate(subject=template.subject, body_html=template.body_html, body_text=template.body_text)
    template.full_clean()
    template.save()
    return template


def template_create(
    *, trigger: str, subject: str, body_html: str, body_text: str = "", is_active: bool = True
) -> EmailTemplate:
    return template_save(
        template=EmailTemplate(
            trigger=trigger, subject=subject, body_html=body_html, body_text=body_text, is_active=is_active
        )
    )


def template_update(*, template: EmailTemplate, **changes: Any) -> EmailTemplate:
    allowed = {"trigger", "subject", "body_html", "body_text", "is_active"}
    if unexpected := set(changes) - allowed:
        raise ValueError(f"not editable: {', '.join(sorted(unexpected))}")
    for field, value in changes.items():
        setattr(template, field, value)
    return template_save(template=template)


def template_delete(*, template: EmailTemplate) -> None:
    template.delete()


def templates_seed(*, reset: bool = False) -> tuple[int, int]:
    """Creates the built-in template of every trigger that has none (with ``reset``, also
    overwrites existing ones). Returns (created, reset)."""
    created = overwritten = 0
    for trigger in Trigger.values:
        default = defaults.default_template(trigger)
        values = {"subject": default.subject, "body_html": default.body_html, "body_text": default.body_text}
        template = EmailTemplate.objects.filter(trigger=trigger).first()
        if template is None:
            template_create(trigger=trigger, **values)
            created += 1
        elif reset:
            template_update(template=template, is_active=True, **values)
            overwritten += 1
    return created, overwritten


# --- Context --------------------------------------------------------------------------


def _label(choices, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def context_for(*, user: User, trigger: str, event_data: dict[str, Any]) -> dict[str, Any]:
    """The plain context of one email: strings and numbers only, and only the variables
    documented for the trigger (``rendering.variables_for``)."""
    app_url = settings.FRONTEND_URL
    first_name = user.full_name.split()[0] if user.full_name.strip() else "there"
    context: dict[str, Any] = {
        "user_name": user.full_name or user.email.split("@")[0],
        "first_name": first_name,
        "user_email": user.email,
        "site_name": SITE_NAME,
        "app_url": app_url,
    }
    data = event_data
    champion_id = data.get("champion_id")
    if trigger == Trigger.WELCOME:
        context["plan"] = _label(Plan, data.get("plan") or user.subscription_plan)
    elif trigger in (Trigger.CHAMPION_READY, Trigger.CHAMPION_FAILED):
        context["champion_name"] = str(data.get("name") or "your champion")[:200]
        context["champion_url"] = f"{app_url}/champions/{champion_id}" if champion_id else app_url
        if trigger == Trigger.CHAMPION_READY:
            context["patterns_count"] = int(data.get("patterns") or 0)
            context["scenarios_count"] = int(data.get("scenarios") or 0)
        else:
            context["error_message"] = str(data.get("error") or "")[:500]
    elif trigger == Trigger.TRAINING_COMPLETED:
        score = data.get("overall_score")
        context["champion_name"] = str(data.get("champion_name") or "your champion")[:200]
        context["score"] = round(float(score)) if score is not None else ""
        context["outcome"] = str(data.get("outcome") or "")
        session_id = data.get("session_id")
        context["session_url"] = f"{app_url}/training/sessions/{session_id}" if session_id else app_url
    elif trigger == Trigger.SUBSCRIPTION_CHANGED:
        context["from_plan"] = _label(Plan, data.get("from_plan"))
        context["to_plan"] = _label(Plan, data.get("to_plan") or user.subscription_plan)
        context["subscription_status"] = _label(SubscriptionStatus, data.get("to_status") or user.subscription_status)
        context["change"] = str(data.get("event_type") or "")
    elif trigger == Trigger.INACTIVE_REMINDER:
        context["days_inactive"] = int(data.get("days_inactive") or settings.EMAIL_INACTIVE_DAYS)
    allowed = rendering.variables_for(trigger)
    return {name: value for name, value in context.items() if name in allowed}


def _absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def unsubscribe_url(user_id: int) -> str:
    return _absolute(reverse("emails:unsubscribe", args=[tokens.unsubscribe_token(user_id)]))


# --- Sending --------------------------------------------------------------------------


def is_unsubscribed(user_id: int) -> bool:
    return EmailPreference.objects.filter(user_id=user_id, unsubscribed_at__isnull=False).exists()


def _source_for(trigger: str, *, test: bool) -> EmailTemplate | defaults.DefaultTemplate | None:
    template = EmailTemplate.objects.filter(trigger=trigger).first()
    if template is None:
        return defaults.default_template(trigger)
    if not template.is_active and not test:
        return None
    return template


def _message_id(log: EmailLog) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(idstring=f"log{log.pk}", domain=domain)


def _build_message(log: EmailLog, source, context: dict[str, Any]) -> tuple[EmailMultiAlternatives, list[str]]:
    parts = rendering.render_parts(
        subject=source.subject, body_html=source.body_html, body_text=source.body_text, context=context
    )
    unsubscribe = unsubscribe_url(log.user_id)
    layout_context = {
        "subject": parts.subject,
        "site_name": SITE_NAME,
        "unsubscribe_url": unsubscribe,
        # The template's output was rendered with auto-escaping on the plain context.
        "content": mark_safe(parts.html),  # noqa: S308
        "open_pixel_url": _absolute(reverse("emails:open", args=[tokens.open_token(log.pk)]))
        if settings.EMAIL_TRACKING_ENABLED
        else "",
    }
    html_body = render_to_string("emails/layout.html", layout_context)
    links: list[str] = []
    if settings.EMAIL_TRACKING_ENABLED:
        html_body, links = rendering.rewrite_links(
            html_body,
            tracked_url_for=lambda index: _absolute(reverse("emails:click", args=[tokens.click_token(log.pk, index)])),
            keep={unsubscribe},
        )
    text_body = render_to_string("emails/layout.txt", {**layout_context, "content": parts.text}).strip() + "\n"
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.recipient],
        headers={
            "Message-ID": log.message_id,
            # RFC 2369 and RFC 8058 one-click: mail clients show an unsubscribe button.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html_body, "text/html")
    return message, links


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    # Refused connections, timeouts, DNS failures (smtplib's other errors are permanent).
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


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
    reason = ""
    if not test and (not user.is_active or is_unsubscribed(user.pk)):
        reason = "The user unsubscribed." if user.is_active else "The account is inactive."
    elif source is None:
        reason = "The template for this trigger is inactive."
    if reason:
        EmailLog.objects.filter(pk=log.pk, status=EmailLog.Status.QUEUED).update(
            status=EmailLog.Status.SUPPRESSED, error=reason
        )
        log.refresh_from_db()
        return log

    claimed = EmailLog.objects.filter(pk=log.pk, status=EmailLog.Status.QUEUED).update(
        status=EmailLog.Status.SENDING,
        attempts=F("attempts") + 1,
        recipient=user.email,
        template=source if isinstance(source, EmailTemplate) else None,
    )
    if not claimed:
        return EmailLog.objects.get(pk=log.pk)
    log.refresh_from_db()
    log.message_id = log.message_id or _message_id(log)
    if test:  # the sample values, with the staff member's own name and address
        context = {**rendering.SAMPLE_CONTEXT, **context_for(user=user, trigger=Trigger.WELCOME, event_data={})}
    else:
        context = context_for(user=user, trigger=trigger, event_data=event_data or {})
    try:
        message, links = _build_message(log, source, context)
    except Exception as exc:  # a template that renders badly with real values: permanent
        logger.exception("email_render_failed", log_id=log.pk, trigger=trigger)
        _finish(log, EmailLog.Status.FAILED, error=f"Rendering failed: {type(exc).__name__}: {exc}")
        return log
    log.subject, log.links = message.subject, links
    log.save(update_fields=["message_id", "subject", "links"])
    try:
        message.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if _is_transient(exc) and not final_attempt:
            _finish(log, EmailLog.Status.QUEUED, error=error)
            raise TransientEmailError(error) from exc
        _finish(log, EmailLog.Status.FAILED, error=error)
        logger.warning("email_failed", log_id=log.pk, trigger=trigger, error=error)
        return log
    _finish(log, EmailLog.Status.SENT, error="", sent_at=timezone.now())
    return log


def _finish(log: EmailLog, status: str, *, error: str, sent_at: datetime | None = None) -> None:
    log.status, log.error, log.sent_at = status, error, sent_at
    log.save(update_fields=["status", "error", "sent_at"])


def template_send_test(*, template: EmailTemplate, to_user: User) -> str:
    """The admin's "send test email to me": a new log (so never a duplicate) sent with the
    sample context. Returns the dedupe key."""
    from emails_app import tasks

    dedupe_key = f"test:{uuid.uuid4().hex}"
    transaction.on_commit(
        lambda: tasks.send_lifecycle_email.apply_async(
            kwargs={"user_id": to_user.pk, "trigger": template.trigger, "dedupe_key": dedupe_key, "test": True},
            queue=settings.EMAIL_QUEUE,
        )
    )
    return dedupe_key


def inactive_reminders_enqueue(*, now: datetime | None = None) -> list[int]:
    """The daily beat task: users with no activity for EMAIL_INACTIVE_DAYS, who are
    subscribed and got no reminder in that period, each get one ``inactive_reminder``."""
    from emails_app import tasks

    now = now or timezone.now()
    days = settings.EMAIL_INACTIVE_DAYS
    cutoff = now - timedelta(days=days)
    # One subquery for both conditions: exclude() across a multi-valued relation would test
    # them on possibly different email rows (any recent email would then skip the reminder).
    reminded_lately = EmailLog.objects.filter(
        user=OuterRef("pk"), trigger=Trigger.INACTIVE_REMINDER, created_at__gte=cutoff
    )
    at_risk = (
        User.objects.filter(churn_risk_q(days=days, now=now), is_staff=False)
        .exclude(email_preference__unsubscribed_at__isnull=False)
        .exclude(Exists(reminded_lately))
        .values_list("id", "last_activity_at", "date_joined")
    )
    dedupe_key = f"inactive:{now.date().isoformat()}"
    user_ids = []
    for user_id, last_activity_at, date_joined in at_risk.iterator():
        days_inactive = (now - (last_activity_at or date_joined)).days
        user_ids.append(user_id)
        transaction.on_commit(
            lambda user_id=user_id, days_inactive=days_inactive: tasks.send_lifecycle_email.apply_async(
                kwargs={
                    "user_id": user_id,
                    "trigger": Trigger.INACTIVE_REMINDER,
                    "dedupe_key": dedupe_key,
                    "event_data": {"days_inactive": days_inactive},
                },
                queue=settings.EMAIL_QUEUE,
            )
        )
    return user_ids


# --- Tracking and unsubscribing -------------------------------------------------------


def email_mark_opened(*, log_id: int, now: datetime | None = None) -> bool:
    """Keeps the first open; later hits change nothing."""
    return bool(EmailLog.objects.filter(pk=log_id, opened_at__isnull=True).update(opened_at=now or timezone.now()))


def email_mark_clicked(*, log_id: int, link_index: int, now: datetime | None = None) -> str | None:
    """The link the email contained at ``link_index`` (None if it did not); keeps the first
    click, and counts it as an open too (images are often blocked)."""
    now = now or timezone.now()
    log = EmailLog.objects.filter(pk=log_id).only("id", "links").first()
    if log is None or not (0 <= link_index < len(log.links)):
        return None
    url = log.links[link_index]
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    EmailLog.objects.filter(pk=log_id, clicked_at__isnull=True).update(clicked_at=now)
    EmailLog.objects.filter(pk=log_id, opened_at__isnull=True).update(opened_at=now)
    return url


@transaction.atomic
def email_unsubscribe(*, user_id: int, source: str = EmailPreference.Source.LINK) -> EmailPreference:
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user_id=user_id)
    if preference.unsubscribed_at is None:
        preference.unsubscribed_at, preference.source = timezone.now(), source
        preference.save(update_fields=["unsubscribed_at", "source", "updated_at"])
    return preference


@transaction.atomic
def email_resubscribe(*, user_id: int) -> EmailPreference:
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user_id=user_id)
    preference.unsubscribed_at, preference.source = None, ""
    preference.save(update_fields=["unsubscribed_at", "source", "updated_at"])
    return preference
