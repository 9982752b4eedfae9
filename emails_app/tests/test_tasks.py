"""The emails tasks are thin: they run the service, and sending retries only transient SMTP
errors, with backoff, until its last attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from emails_app import tasks
from emails_app.models import EmailLog

pytestmark = pytest.mark.django_db


def test_the_task_retries_transient_errors_until_the_message_goes_through(smtp_server, eager_celery, user):
    smtp_server.refuse("421 4.7.0 Too busy", times=2)
    tasks.send_lifecycle_email.apply(kwargs={"user_id": user.pk, "trigger": "welcome", "dedupe_key": "k"})
    assert len(smtp_server.wait_for(1)) == 1
    assert EmailLog.objects.get().attempts == 3


def test_a_transient_error_on_the_last_retry_fails_the_email(smtp_server, eager_celery, user):
    assert tasks.send_lifecycle_email.acks_late  # safe: the log is claimed before sending
    smtp_server.refuse("421 4.7.0 Too busy", times=tasks.MAX_RETRIES + 1)
    tasks.send_lifecycle_email.apply(kwargs={"user_id": user.pk, "trigger": "welcome", "dedupe_key": "k"})
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == ("failed", tasks.MAX_RETRIES + 1) and "421" in log.error
    assert smtp_server.messages == []


def test_the_daily_reminder_task_counts_the_reminders_it_enqueued(settings):
    settings.EMAIL_INACTIVE_DAYS = 14
    UserFactory(last_activity_at=timezone.now() - timedelta(days=20))
    UserFactory(last_activity_at=timezone.now())
    assert tasks.send_inactive_reminders.apply().get() == 1
