"""Assignment emails to the assignee (README.md, "Teams"): a new assignment and the reminder a
day before it is due, through the editable templates and the unsubscribe preference, once per
assignment however often its event is published. Sent to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest

from core import events
from emails_app import services
from emails_app.models import EmailLog, EmailTemplate

pytestmark = pytest.mark.django_db


def assignment_data(**overrides):
    return {
        "assignment_id": 41,
        "team_id": 3,
        "team_name": "Sales East",
        "champion_id": 9,
        "champion_name": "Sarah's close www.evil.example",
        "scenario_title": "Price objection",
        "due_at": "2026-12-11T17:00:00+00:00",
        "pass_score": 70,
        "min_attempts": 2,
        "secret_note": "never shown",
        **overrides,
    }


@pytest.fixture
def deliver_now(eager_celery, django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_new_assignment_emails_the_assignee_once(smtp_server, deliver_now, user):
    with deliver_now():
        events.publish(events.ASSIGNMENT_CREATED, data=assignment_data(), user_id=user.pk)
        # The same assignment published again (a retried service) sends nothing more.
        events.publish(events.ASSIGNMENT_CREATED, data=assignment_data(), user_id=user.pk)
    [received] = smtp_server.wait_for(1)
    assert received.recipients == [user.email]
    assert received.message["Subject"] == "New practice for you: Price objection"
    text = received.part("text/plain")
    assert "Sales East" in text and "Sarah's close" in text
    assert "70/100" in text and "2 completed sessions" in text
    assert "Friday 11 December 2026, 17:00 UTC" in text
    assert "evil.example" not in received.message.as_string() + text and "never shown" not in text
    log = EmailLog.objects.get()
    assert (log.user, log.trigger, log.dedupe_key, log.status) == (user, "assignment_created", "assignment:41", "sent")
    assert log.links == ["https://app.example.com/assignments"]  # the authored link, tracked


def test_the_reminder_before_the_due_date_is_its_own_email(smtp_server, deliver_now, user):
    with deliver_now():
        events.publish(events.ASSIGNMENT_CREATED, data=assignment_data(), user_id=user.pk)
        events.publish(events.ASSIGNMENT_DUE_SOON, data=assignment_data(min_attempts=1), user_id=user.pk)
    received = smtp_server.wait_for(2)
    subjects = sorted(str(r.message["Subject"]) for r in received)
    assert subjects == ["Due tomorrow: your practice on Price objection", "New practice for you: Price objection"]
    reminder = next(r for r in received if str(r.message["Subject"]).startswith("Due"))
    assert "a completed session" in reminder.part("text/plain")


def test_an_unsubscribed_assignee_gets_no_assignment_email(smtp_server, deliver_now, user):
    services.email_unsubscribe(user_id=user.pk)
    with deliver_now():
        events.publish(events.ASSIGNMENT_CREATED, data=assignment_data(), user_id=user.pk)
    assert EmailLog.objects.get().status == "suppressed"
    assert smtp_server.messages == []


def test_staff_edit_the_assignment_templates_like_the_others(smtp_server, deliver_now, user):
    services.templates_seed()
    template = EmailTemplate.objects.get(trigger="assignment_due_soon")
    services.template_update(template=template, subject="Tomorrow: {{ scenario_title }} for {{ team_name }}")
    with deliver_now():
        events.publish(events.ASSIGNMENT_DUE_SOON, data=assignment_data(), user_id=user.pk)
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == "Tomorrow: Price objection for Sales East"
    services.template_update(template=template, is_active=False)
    with deliver_now():
        events.publish(events.ASSIGNMENT_DUE_SOON, data=assignment_data(assignment_id=42), user_id=user.pk)
    assert EmailLog.objects.get(dedupe_key="assignment:42").status == "suppressed"
