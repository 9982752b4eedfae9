"""Domain events → lifecycle emails: what the subscriber enqueues, and each event's email as
a real SMTP server on 127.0.0.1 (aiosmtpd) receives it."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from core import events
from core.events import DomainEvent
from emails_app import services, subscribers, tasks
from emails_app.models import EmailLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver_now(eager_celery, django_capture_on_commit_callbacks):
    """Publish inside this: after commit, the subscriber's task runs in-process."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_verifying_the_address_sends_a_multipart_welcome_email_with_an_unsubscribe_header(smtp_server, deliver_now):
    with deliver_now():
        user = account_services.user_register(
            email="Ana.Lopez@Example.com", password="Sup3r-Secret!pass", full_name="Ana <b>Lopez</b>"
        )
    smtp_server.wait_for(1)  # the verification email (emails_app/tests/test_verification_email.py)
    with deliver_now():
        account_services.user_mark_email_verified(user=user)
    [_, received] = smtp_server.wait_for(2)
    message = received.message
    assert received.recipients == ["ana.lopez@example.com"]
    assert message["Subject"] == "Welcome to Champion Clone, Ana"
    assert message.get_content_type() == "multipart/alternative"
    html, text = received.part("text/html"), received.part("text/plain")
    assert "Ana &lt;b&gt;Lopez&lt;/b&gt;" not in html  # first name only, and escaped either way
    assert "Hi Ana," in html and "Hi Ana," in text
    assert "Upload your first champion" in text and "<p>" not in text
    log = EmailLog.objects.get(trigger="welcome")
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


def test_the_subscriber_enqueues_only_the_fields_the_email_shows(user, settings, monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(tasks.send_lifecycle_email, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    event = DomainEvent(
        type=events.CHAMPION_FAILED,
        data={"champion_id": 5, "name": "N" * 2000, "error": "no audio", "stack_trace": "Traceback: SECRET_PATH"},
        user_id=user.pk,
    )
    subscribers.enqueue_lifecycle_email(event)
    [call] = sent
    assert call["queue"] == settings.EMAIL_QUEUE
    assert call["kwargs"] == {
        "user_id": user.pk,
        "trigger": "champion_failed",
        "dedupe_key": event.id,
        "event_data": {"champion_id": 5, "name": "N" * 1000, "error": "no audio"},
    }


def test_events_without_an_email_or_without_a_user_enqueue_nothing(user, monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(tasks.send_lifecycle_email, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    subscribers.enqueue_lifecycle_email(DomainEvent(type=events.USER_LOGIN, data={}, user_id=user.pk))
    subscribers.enqueue_lifecycle_email(DomainEvent(type=events.CHAMPION_ANALYZED, data={"champion_id": 1}))
    assert sent == []


def test_with_the_broker_down_the_email_is_sent_from_the_publishing_process_once(smtp_server, user, monkeypatch):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_lifecycle_email, "apply_async", broker_down)
    event = DomainEvent(
        type=events.CHAMPION_ANALYZED,
        user_id=user.pk,
        data={"champion_id": 1, "name": "Call", "patterns": 3, "scenarios": 1},
    )

    events.dispatch(event)
    events.dispatch(event)  # the same event again: still one email

    assert len(smtp_server.wait_for(1)) == 1
    log = EmailLog.objects.get()
    assert (log.trigger, log.status) == ("champion_ready", "sent")
