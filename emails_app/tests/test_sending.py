"""Lifecycle emails received by a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from core import events
from core.events import DomainEvent
from emails_app import services, tasks
from emails_app.models import EmailLog, EmailPreference, EmailTemplate, Trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver_now(eager_celery, django_capture_on_commit_callbacks):
    """Publish inside this: after commit, the subscriber's task runs in-process."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_registering_sends_a_multipart_welcome_email_with_an_unsubscribe_header(smtp_server, deliver_now):
    with deliver_now():
        user = account_services.user_register(
            email="Ana.Lopez@Example.com", password="Sup3r-Secret!pass", full_name="Ana <b>Lopez</b>"
        )
    [received] = smtp_server.wait_for(1)
    message = received.message
    assert received.recipients == ["ana.lopez@example.com"]
    assert message["Subject"] == "Welcome to Champion Clone, Ana"
    assert message.get_content_type() == "multipart/alternative"
    html, text = received.part("text/html"), received.part("text/plain")
    assert "Ana &lt;b&gt;Lopez&lt;/b&gt;" not in html  # first name only, and escaped either way
    assert "Hi Ana," in html and "Hi Ana," in text
    assert "Upload your first champion" in text and "<p>" not in text
    log = EmailLog.objects.get()
    assert (log.user, log.trigger, log.status) == (user, "welcome", "sent")
    assert message["Message-ID"] == log.message_id
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://cc.example.com/emails/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in html and unsubscribe.strip("<>") in text
    # Tracking: the pixel and the rewritten links point back to this server.
    assert "https://cc.example.com/emails/o/" in html
    assert log.links == ["https://app.example.com"]
    assert 'href="https://app.example.com"' not in html and "https://cc.example.com/emails/c/" in html


def test_each_lifecycle_event_renders_its_own_email(smtp_server, deliver_now, user):
    published = [
        (
            events.CHAMPION_ANALYZED,
            {"champion_id": 4, "name": "Sarah's close", "patterns": 18, "scenarios": 4, "duration_seconds": 300.0},
        ),
        (
            events.CHAMPION_FAILED,
            {
                "champion_id": 5,
                "name": "Bad file",
                "step": "decode",
                "error": "The recording has no audio track.",
                "error_type": "UnreadableMedia",
                "stack_trace": "Traceback (most recent call last): SECRET_PATH",
            },
        ),
        (
            events.TRAINING_COMPLETED,
            {
                "session_id": 9,
                "champion_id": 4,
                "champion_name": "Sarah's close",
                "scenario_id": 2,
                "overall_score": 81.6,
                "outcome": "won",
            },
        ),
        (
            events.SUBSCRIPTION_CHANGED,
            {
                "user_id": user.pk,
                "email": user.email,
                "event_type": "upgrade",
                "from_plan": "free",
                "to_plan": "pro",
                "from_status": "trialing",
                "to_status": "active",
            },
        ),
    ]
    with deliver_now():
        for event_type, data in published:
            events.publish(event_type, data=data, user_id=user.pk)
    received = {m.message["Subject"]: m for m in smtp_server.wait_for(4)}
    ready = received["Sarah's close is ready to practise against"].part("text/plain")
    assert "18 sales patterns" in ready and "4 practice scenarios" in ready
    assert "https://app.example.com/champions/4" in ready
    failed = received["We could not analyse Bad file"].part("text/plain")
    assert "no audio track" in failed and "Traceback" not in failed and "SECRET_PATH" not in failed
    trained = received["Your practice against Sarah's close: 82/100"].part("text/plain")
    assert "you won the deal" in trained and "/training/sessions/9" in trained
    plan = received["Your Champion Clone plan: Pro"].part("text/plain")
    assert "from Free to Pro" in plan
    assert set(EmailLog.objects.values_list("trigger", flat=True)) == {
        "champion_ready",
        "champion_failed",
        "training_completed",
        "subscription_changed",
    }


def test_the_same_event_never_sends_the_same_email_twice(smtp_server, eager_celery, user):
    event = DomainEvent(
        type=events.CHAMPION_ANALYZED,
        user_id=user.pk,
        data={"champion_id": 1, "name": "Call", "patterns": 3, "scenarios": 1},
    )
    events.dispatch(event)
    events.dispatch(event)  # a duplicate dispatch, or a redelivered task
    tasks.send_lifecycle_email.apply(kwargs={"user_id": user.pk, "trigger": "champion_ready", "dedupe_key": event.id})
    assert len(smtp_server.wait_for(1)) == 1
    assert EmailLog.objects.count() == 1


def test_an_unsubscribed_user_gets_no_email_at_all(smtp_server, deliver_now, user):
    services.email_unsubscribe(user_id=user.pk)
    with deliver_now():
        events.publish(
            events.TRAINING_COMPLETED,
            user_id=user.pk,
            data={"session_id": 1, "champion_id": 1, "champion_name": "C", "overall_score": 50},
        )
    assert smtp_server.messages == []
    log = EmailLog.objects.get()
    assert log.status == "suppressed" and "unsubscribed" in log.error


def test_an_inactive_template_sends_nothing_and_a_missing_one_falls_back_to_the_default(smtp_server, user):
    services.templates_seed()
    EmailTemplate.objects.filter(trigger=Trigger.CHAMPION_READY).update(is_active=False)
    assert (
        services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="a").status == "suppressed"
    )
    EmailTemplate.objects.filter(trigger=Trigger.CHAMPION_READY).delete()
    assert services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="b").status == "sent"
    assert len(smtp_server.wait_for(1)) == 1


def test_an_edited_template_is_what_is_sent(smtp_server, user):
    services.template_create(
        trigger="welcome",
        subject="Hey {{ first_name }}",
        body_html="<p>Custom body for {{ user_email }}</p>",
        body_text="Plain {{ user_email }}",
    )
    log = services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="x")
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == f"Hey {user.full_name.split()[0]}"
    assert f"Custom body for {user.email}" in received.part("text/html")
    assert received.part("text/plain").startswith(f"Plain {user.email}")
    assert log.template.trigger == "welcome"


def test_a_transient_smtp_error_is_retried_and_a_permanent_one_is_not(smtp_server, user):
    smtp_server.refuse("451 4.3.0 Try again later")
    with pytest.raises(services.TransientEmailError):
        services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k", final_attempt=False)
    log = EmailLog.objects.get()
    assert log.status == "queued" and "451" in log.error
    assert services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k").status == "sent"
    assert EmailLog.objects.get().attempts == 2 and len(smtp_server.messages) == 1

    smtp_server.refuse("550 5.1.1 No such mailbox")
    log = services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="k", final_attempt=False)
    assert log.status == "failed" and "550" in log.error


def test_the_task_retries_transient_errors_until_the_message_goes_through(smtp_server, eager_celery, user):
    smtp_server.refuse("421 4.7.0 Too busy", times=2)
    tasks.send_lifecycle_email.apply(kwargs={"user_id": user.pk, "trigger": "welcome", "dedupe_key": "k"})
    assert len(smtp_server.wait_for(1)) == 1
    assert EmailLog.objects.get().attempts == 3


def test_inactive_users_get_one_reminder_per_period(
    smtp_server, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_INACTIVE_DAYS = 14
    now = timezone.now()
    idle = UserFactory(last_activity_at=now - timedelta(days=20))
    never_came_back = UserFactory(last_activity_at=None, date_joined=now - timedelta(days=30))
    UserFactory(last_activity_at=now - timedelta(days=2))  # active
    unsubscribed = UserFactory(last_activity_at=now - timedelta(days=40))
    EmailPreference.objects.create(user=unsubscribed, unsubscribed_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(services.inactive_reminders_enqueue(now=now)) == sorted([idle.pk, never_came_back.pk])
    received = smtp_server.wait_for(2)
    assert {m.recipients[0] for m in received} == {idle.email, never_came_back.email}
    assert any("It has been 20 days" in m.part("text/plain") for m in received)
    with django_capture_on_commit_callbacks(execute=True):  # the same day, and a week later
        assert services.inactive_reminders_enqueue(now=now) == []
        assert services.inactive_reminders_enqueue(now=now + timedelta(days=7)) == []
    EmailLog.objects.update(created_at=now - timedelta(days=15))  # a period later
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(services.inactive_reminders_enqueue(now=now + timedelta(days=1))) == sorted(
            [idle.pk, never_came_back.pk]
        )
    assert len(smtp_server.wait_for(4)) == 4


def test_another_recent_email_does_not_skip_the_inactive_reminder(settings):
    settings.EMAIL_INACTIVE_DAYS = 14
    now = timezone.now()
    idle = UserFactory(last_activity_at=now - timedelta(days=40))
    old_reminder = EmailLog.objects.create(
        user=idle, trigger=Trigger.INACTIVE_REMINDER, recipient=idle.email, dedupe_key="inactive:old"
    )
    EmailLog.objects.filter(pk=old_reminder.pk).update(created_at=now - timedelta(days=30))
    EmailLog.objects.create(user=idle, trigger=Trigger.SUBSCRIPTION_CHANGED, recipient=idle.email, dedupe_key="plan")

    assert services.inactive_reminders_enqueue(now=now) == [idle.pk]


def test_the_context_holds_plain_values_only(user):
    for trigger in Trigger.values:
        context = services.context_for(user=user, trigger=trigger, event_data={"champion_id": 1, "name": "x"})
        assert all(isinstance(value, str | int | float) for value in context.values()), trigger
