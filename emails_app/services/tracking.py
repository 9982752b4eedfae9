"""Opens, clicks and consent: the first open and click of each email, unsubscribing and
subscribing again."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from emails_app.models import EmailLog, EmailPreference


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
