"""The verification email and what waits for it (README.md, "Email verification"): an address
nobody has confirmed receives that fixed email and nothing else, however the account was
filled in; the welcome follows the verification; every other lifecycle email waits for it.
Sent to a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import UserFactory
from core import events
from emails_app import services
from emails_app.models import EmailLog, EmailTemplate

pytestmark = pytest.mark.django_db

ATTACKER_TEXT = "https://evil.example/verify-your-account"
VERIFY_LINK = re.compile(r"https://app\.example\.com/verify-email\?token=([^\s\"'<>&)]+)")


@pytest.fixture
def deliver_now(eager_celery, django_capture_on_commit_callbacks):
    """Publish inside this: after commit, the subscriber's task runs in-process."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def register_a_stranger(deliver_now, full_name: str = ATTACKER_TEXT) -> User:
    with deliver_now():
        return account_services.user_register(
            email="Victim.Person@Example.org", password="Sup3r-Secret!pass", full_name=full_name
        )


def whole_message(received) -> str:
    return received.message.as_string() + received.part("text/html") + received.part("text/plain")


def test_a_strangers_address_gets_only_the_verification_email_without_the_attackers_text(smtp_server, deliver_now):
    user = register_a_stranger(deliver_now)
    [received] = smtp_server.wait_for(1)
    assert received.recipients == ["victim.person@example.org"]
    assert received.message["Subject"] == "Confirm your email address for Champion Clone"
    everything = whole_message(received)
    assert "evil.example" not in everything and "verify-your-account" not in everything
    html, text = received.part("text/html"), received.part("text/plain")
    # The address is the recipient only: not in the body, not inside the signed link either.
    assert "victim" not in html.lower() and "victim" not in text.lower()
    [token] = set(VERIFY_LINK.findall(text))
    assert token in html
    log = EmailLog.objects.get()
    assert (log.user, log.trigger, log.status) == (user, "verify_email", "sent")
    # Not tracked: the link goes to the front end directly and no token is stored in the log.
    assert log.links == [] and token not in str(log.links)
    assert account_services.user_verify_email(token=unquote(token)).pk == user.pk


def test_no_other_email_reaches_an_unverified_address(smtp_server, deliver_now):
    user = register_a_stranger(deliver_now, full_name="Ana")
    smtp_server.wait_for(1)
    with deliver_now():
        for event_type, data in (
            (events.CHAMPION_ANALYZED, {"champion_id": 4, "name": ATTACKER_TEXT, "patterns": 1, "scenarios": 1}),
            (events.CHAMPION_FAILED, {"champion_id": 5, "name": ATTACKER_TEXT, "error": "no audio"}),
            (events.TRAINING_COMPLETED, {"session_id": 9, "champion_name": ATTACKER_TEXT, "overall_score": 50}),
            (events.SUBSCRIPTION_CHANGED, {"event_type": "upgrade", "from_plan": "free", "to_plan": "pro"}),
        ):
            events.publish(event_type, data=data, user_id=user.pk)
    services.lifecycle_email_send(user_id=user.pk, trigger="inactive_reminder", dedupe_key="k")
    assert len(smtp_server.messages) == 1
    held = EmailLog.objects.exclude(trigger="verify_email")
    assert held.count() == 5
    assert all(log.status == "suppressed" and "not verified" in log.error for log in held)


def test_the_welcome_is_sent_once_when_the_address_is_verified(smtp_server, deliver_now):
    user = register_a_stranger(deliver_now, full_name="Ana Lopez")
    [verification] = smtp_server.wait_for(1)
    token = unquote(VERIFY_LINK.findall(verification.part("text/plain"))[0])
    with deliver_now():
        account_services.user_verify_email(token=token)
        account_services.user_verify_email(token=token)  # the link opened twice
    [_, welcome] = smtp_server.wait_for(2)
    assert welcome.message["Subject"] == "Welcome to Champion Clone, Ana"
    assert EmailLog.objects.filter(trigger="welcome", status="sent").count() == 1
    # Verified now, lifecycle emails follow.
    with deliver_now():
        events.publish(
            events.CHAMPION_ANALYZED,
            data={"champion_id": 4, "name": "Call", "patterns": 1, "scenarios": 1},
            user_id=user.pk,
        )
    assert smtp_server.wait_for(3)[2].message["Subject"] == "Call is ready to practise against"


def test_asking_again_sends_a_new_verification_email_until_the_address_is_verified(smtp_server, deliver_now):
    user = UserFactory(email_verified_at=None)
    with deliver_now():
        account_services.user_request_email_verification(user=user)
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == "Confirm your email address for Champion Clone"
    account_services.user_mark_email_verified(user=user)
    # A request queued before the verification sends nothing after it.
    log = services.lifecycle_email_send(user_id=user.pk, trigger="verify_email", dedupe_key="late")
    assert log.status == "suppressed" and "verified already" in log.error
    assert len(smtp_server.messages) == 1


def test_an_unsubscribed_stranger_receives_no_more_verification_emails(smtp_server, deliver_now):
    user = register_a_stranger(deliver_now)
    smtp_server.wait_for(1)
    services.email_unsubscribe(user_id=user.pk)
    with deliver_now():
        account_services.user_request_email_verification(user=user)
    assert len(smtp_server.messages) == 1
    assert EmailLog.objects.filter(status="suppressed", trigger="verify_email").exists()


def test_the_verification_email_is_built_in_never_a_staff_edited_row(smtp_server):
    # Around the service, which refuses the trigger: a row can only come from the database.
    EmailTemplate.objects.create(
        trigger="verify_email", subject="Hi {{ user_name }}", body_html="<p>{{ user_name }} {{ user_email }}</p>"
    )
    user = UserFactory(email_verified_at=None, full_name=ATTACKER_TEXT)
    services.lifecycle_email_send(user_id=user.pk, trigger="verify_email", dedupe_key="k")
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == "Confirm your email address for Champion Clone"
    assert "evil.example" not in whole_message(received) and user.email not in received.part("text/html")


def test_inactive_reminders_skip_unverified_addresses(settings):
    settings.EMAIL_INACTIVE_DAYS = 14
    now = timezone.now()
    idle_verified = UserFactory(last_activity_at=now - timedelta(days=20))
    UserFactory(last_activity_at=now - timedelta(days=20), email_verified_at=None)
    assert services.inactive_reminders_enqueue(now=now) == [idle_verified.pk]
