"""Emails on /metrics (README.md, "Monitoring"): each sending attempt's outcome, over a real
SMTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from core.testing.metrics import recorded
from emails_app import services

pytestmark = pytest.mark.django_db

EMAILS = "champion_clone_emails_total"
OUTCOMES = ("sent", "failed", "retrying")


def test_emails_are_counted_sent_retrying_and_failed(smtp_server, user):
    before = {outcome: recorded(EMAILS, outcome=outcome) for outcome in OUTCOMES}
    smtp_server.refuse("451 4.3.0 Try again later")
    with pytest.raises(services.TransientEmailError):
        services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k", final_attempt=False)
    assert services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k").status == "sent"
    smtp_server.refuse("550 5.1.1 No such mailbox")
    services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="k", final_attempt=False)

    grew = {outcome: recorded(EMAILS, outcome=outcome) - before[outcome] for outcome in OUTCOMES}
    assert grew == {"sent": 1, "failed": 1, "retrying": 1}


def test_an_email_sent_once_is_not_counted_again(smtp_server, user):
    services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="once")
    before = recorded(EMAILS, outcome="sent")
    services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="once")
    assert recorded(EMAILS, outcome="sent") == before
