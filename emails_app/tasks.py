"""Thin Celery tasks of the emails app (light queue): ids and plain data in."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from emails_app import services

MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="emails_app.tasks.send_lifecycle_email",
    ignore_result=True,
    # Safe to run twice: the log row is claimed before sending, so a redelivered message
    # after a worker crash sends nothing more.
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=60,  # the SMTP conversation itself times out at EMAIL_TIMEOUT
    time_limit=90,
)
def send_lifecycle_email(
    self, user_id: int, trigger: str, dedupe_key: str, event_data: dict[str, Any] | None = None, test: bool = False
) -> None:
    try:
        services.lifecycle_email_send(
            user_id=user_id,
            trigger=trigger,
            dedupe_key=dedupe_key,
            event_data=event_data,
            test=test,
            final_attempt=self.request.retries >= MAX_RETRIES,
        )
    except services.TransientEmailError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(
    bind=True,
    name="emails_app.tasks.send_team_invitation",
    ignore_result=True,
    acks_late=True,  # safe to run twice, like send_lifecycle_email: the log is claimed first
    max_retries=MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_team_invitation(self, invitation_id: int) -> None:
    try:
        services.team_invitation_send(invitation_id=invitation_id, final_attempt=self.request.retries >= MAX_RETRIES)
    except services.TransientEmailError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


def _backoff(retries: int) -> int:
    # 30 s, 1 min, 2 min, 4 min, 8 min (with full jitter), then the log is marked failed.
    return max(5, get_exponential_backoff_interval(factor=30, retries=retries, maximum=3600, full_jitter=True))


@shared_task(name="emails_app.tasks.send_inactive_reminders", ignore_result=True)
def send_inactive_reminders() -> int:
    """Beat, daily: one inactive_reminder per user at churn risk and per period."""
    return len(services.inactive_reminders_enqueue())
