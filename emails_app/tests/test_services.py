"""The emails services: templates, the context of each email, sending once per cause over a
real SMTP server on 127.0.0.1 (aiosmtpd), enqueueing sends, and tracking and consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.errors import InvalidInput
from emails_app import services, tasks
from emails_app.models import EmailLog, EmailPreference, EmailTemplate, Trigger
from emails_app.tests.factories import EmailLogFactory, EmailPreferenceFactory, EmailTemplateFactory

pytestmark = pytest.mark.django_db


# --- Templates ----------------------------------------------------------------------


def test_a_template_that_does_not_compile_is_refused_with_the_part_in_error():
    with pytest.raises(InvalidInput) as refused:
        services.template_create(trigger="welcome", subject="Hi", body_html="{% if first_name %}never closed")
    assert "does not compile" in refused.value.fields["body_html"][0]
    assert not EmailTemplate.objects.exists()


def test_only_the_template_fields_are_editable_and_an_edit_is_validated():
    template = EmailTemplateFactory()
    with pytest.raises(ValueError, match="created_at"):
        services.template_update(template=template, created_at=timezone.now())
    with pytest.raises(InvalidInput):
        services.template_update(template=template, subject="{{ first_name|no_such_filter }}")
    assert EmailTemplate.objects.get().subject == "Hi {{ first_name }}"
    services.template_update(template=template, subject="Hello {{ first_name }}", is_active=False)
    assert EmailTemplate.objects.filter(subject="Hello {{ first_name }}", is_active=False).exists()


def test_seeding_creates_what_is_missing_and_reset_restores_the_defaults():
    assert services.templates_seed() == (len(Trigger.values), 0)
    assert services.templates_seed() == (0, 0)
    EmailTemplate.objects.filter(trigger="welcome").update(subject="Edited", is_active=False)
    services.template_delete(template=EmailTemplate.objects.get(trigger="champion_ready"))
    assert services.templates_seed(reset=True) == (1, len(Trigger.values) - 1)
    welcome = EmailTemplate.objects.get(trigger="welcome")
    assert welcome.subject != "Edited" and welcome.is_active


# --- Context ------------------------------------------------------------------------


def test_the_context_holds_plain_values_only(user):
    for trigger in Trigger.values:
        context = services.context_for(user=user, trigger=trigger, event_data={"champion_id": 1, "name": "x"})
        assert all(isinstance(value, str | int | float) for value in context.values()), trigger


# --- Sending ------------------------------------------------------------------------


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


def test_an_unknown_user_gets_nothing():
    assert services.lifecycle_email_send(user_id=10**9, trigger="welcome", dedupe_key="k") is None
    assert not EmailLog.objects.exists()


def test_an_inactive_account_gets_no_email(smtp_server, user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    log = services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k")
    assert (log.status, log.error) == ("suppressed", "The account is inactive.")
    assert smtp_server.messages == []


def test_the_same_key_sends_once_however_often_it_is_asked(smtp_server, user):
    first = services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k")
    again = services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k")
    assert again.pk == first.pk and again.status == "sent" and again.attempts == 1
    other_trigger = services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="k")
    assert other_trigger.pk != first.pk
    assert len(smtp_server.wait_for(2)) == 2


def test_a_test_send_ignores_an_inactive_template_and_unsubscribing_and_shows_sample_values(smtp_server, user):
    services.templates_seed()
    EmailTemplate.objects.update(is_active=False)
    services.email_unsubscribe(user_id=user.pk)
    log = services.lifecycle_email_send(user_id=user.pk, trigger="training_completed", dedupe_key="test:1", test=True)
    assert log.status == "sent" and log.template.trigger == "training_completed"
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == "Your practice against Sarah's discovery call: 82/100"
    assert received.recipients == [user.email]


def test_a_template_that_fails_with_real_values_fails_the_email_without_sending(smtp_server, user):
    # Saved around the service (as an old row could be): it no longer compiles.
    EmailTemplate.objects.create(trigger="welcome", subject="Hi", body_html="{% if %}")
    log = services.lifecycle_email_send(user_id=user.pk, trigger="welcome", dedupe_key="k")
    assert log.status == "failed" and log.error.startswith("Rendering failed")
    assert smtp_server.messages == []


EVIL_NAME = '<a href="https://evil.example/phish">Claim your prize</a>'
CHAMPION = {"champion_id": 42, "name": EVIL_NAME, "patterns": 3, "scenarios": 1}


@pytest.mark.parametrize(
    "body_html",
    [
        "{% with n=champion_name|safe %}{{ n }}{% endwith %}",
        "{% firstof champion_name|safe %}",
        "{% for c in champion_name|make_list|safeseq %}{{ c }}{% endfor %}",
        '<a href="{{ champion_name }}">open</a>',
    ],
)
def test_a_template_that_unescapes_or_links_a_value_is_refused(body_html):
    with pytest.raises(InvalidInput) as refused:
        services.template_create(trigger="champion_ready", subject="Ready", body_html=body_html)
    assert "body_html" in refused.value.fields
    assert not EmailTemplate.objects.exists()


def test_a_stored_template_that_unescapes_is_not_sent(smtp_server, user):
    # Saved around the service (as a row from before the check could be).
    EmailTemplate.objects.create(
        trigger="champion_ready",
        subject="Ready",
        body_html='{% with n=champion_name|safe %}<p>{{ n }}</p>{% endwith %}<a href="{{ champion_url }}">Open</a>',
    )
    log = services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="k", event_data=CHAMPION)
    assert log.status == "failed" and "|safe" in log.error and log.links == []
    assert smtp_server.messages == []


def test_a_champion_named_with_a_link_gets_it_escaped_and_only_the_authors_link_tracked(smtp_server, user):
    log = services.lifecycle_email_send(user_id=user.pk, trigger="champion_ready", dedupe_key="k", event_data=CHAMPION)
    [received] = smtp_server.wait_for(1)
    html = received.part("text/html")
    assert "&lt;a href=&quot;https://evil.example/phish&quot;&gt;Claim your prize&lt;/a&gt;" in html
    assert '<a href="https://evil.example' not in html
    assert log.links == ["https://app.example.com/champions/42"]
    assert services.email_mark_clicked(log_id=log.pk, link_index=1) is None


def test_a_link_made_of_a_users_value_is_not_tracked_so_no_click_redirects_to_it(smtp_server, user):
    EmailTemplate.objects.create(  # around the service, which refuses it now
        trigger="champion_ready",
        subject="Ready",
        body_html='<a href="{{ champion_name }}">yours</a> <a href="{{ champion_url }}">Open</a>',
    )
    event_data = {**CHAMPION, "name": "https://evil.example/phish"}
    log = services.lifecycle_email_send(
        user_id=user.pk, trigger="champion_ready", dedupe_key="k", event_data=event_data
    )
    smtp_server.wait_for(1)
    assert log.links == ["https://app.example.com/champions/42"]
    assert services.email_mark_clicked(log_id=log.pk, link_index=0) == "https://app.example.com/champions/42"
    assert services.email_mark_clicked(log_id=log.pk, link_index=1) is None


def test_a_name_holding_a_link_is_stripped_from_the_subject(smtp_server):
    stranger = UserFactory(full_name="https://evil.example/verify-your-account")
    log = services.lifecycle_email_send(user_id=stranger.pk, trigger="welcome", dedupe_key="k")
    [received] = smtp_server.wait_for(1)
    assert received.message["Subject"] == log.subject == "Welcome to Champion Clone,"


def test_a_test_email_is_enqueued_after_commit_with_a_new_key_each_time(
    admin_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    template = EmailTemplateFactory(trigger="champion_ready", subject="Ready", body_html="<p>x</p>")
    sent: list[dict] = []
    monkeypatch.setattr(tasks.send_lifecycle_email, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.template_send_test(template=template, to_user=admin_user)
        second = services.template_send_test(template=template, to_user=admin_user)
    assert sent == [] and first != second and first.startswith("test:")
    for callback in callbacks:
        callback()
    assert [call["kwargs"] for call in sent] == [
        {"user_id": admin_user.pk, "trigger": "champion_ready", "dedupe_key": key, "test": True}
        for key in (first, second)
    ]
    assert all(call["queue"] == settings.EMAIL_QUEUE for call in sent)


def test_reminders_are_enqueued_after_commit_with_the_days_of_inactivity(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_INACTIVE_DAYS = 14
    now = timezone.now()
    idle = UserFactory(last_activity_at=now - timedelta(days=20))
    sent: list[dict] = []
    monkeypatch.setattr(tasks.send_lifecycle_email, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.inactive_reminders_enqueue(now=now) == [idle.pk]
    assert sent == []
    for callback in callbacks:
        callback()
    [call] = sent
    assert call["kwargs"] == {
        "user_id": idle.pk,
        "trigger": "inactive_reminder",
        "dedupe_key": f"inactive:{now.date().isoformat()}",
        "event_data": {"days_inactive": 20},
    }
    assert call["queue"] == settings.EMAIL_QUEUE


# --- Inactive reminders -------------------------------------------------------------


def test_inactive_users_get_one_reminder_per_period(
    smtp_server, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_INACTIVE_DAYS = 14
    now = timezone.now()
    idle = UserFactory(last_activity_at=now - timedelta(days=20))
    never_came_back = UserFactory(last_activity_at=None, date_joined=now - timedelta(days=30))
    UserFactory(last_activity_at=now - timedelta(days=2))  # active
    unsubscribed = UserFactory(last_activity_at=now - timedelta(days=40))
    EmailPreferenceFactory(user=unsubscribed, unsubscribed_at=now)
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
    old_reminder = EmailLogFactory(user=idle, trigger=Trigger.INACTIVE_REMINDER, dedupe_key="inactive:old")
    EmailLog.objects.filter(pk=old_reminder.pk).update(created_at=now - timedelta(days=30))
    EmailLogFactory(user=idle, trigger=Trigger.SUBSCRIPTION_CHANGED, dedupe_key="plan")

    assert services.inactive_reminders_enqueue(now=now) == [idle.pk]


# --- Tracking and consent -----------------------------------------------------------


def test_only_the_first_open_is_kept():
    log = EmailLogFactory(status="sent")
    first, later = timezone.now() - timedelta(hours=1), timezone.now()
    assert services.email_mark_opened(log_id=log.pk, now=first)
    assert not services.email_mark_opened(log_id=log.pk, now=later)
    log.refresh_from_db()
    assert log.opened_at == first


def test_a_click_answers_only_the_emails_own_http_links_and_counts_as_an_open():
    log = EmailLogFactory(status="sent", links=["https://app.example.com/a", "javascript:alert(1)"])
    first, later = timezone.now() - timedelta(hours=1), timezone.now()
    assert services.email_mark_clicked(log_id=log.pk, link_index=1) is None
    assert services.email_mark_clicked(log_id=log.pk, link_index=2) is None
    assert services.email_mark_clicked(log_id=log.pk, link_index=-1) is None
    assert services.email_mark_clicked(log_id=log.pk + 1, link_index=0) is None
    log.refresh_from_db()
    assert (log.clicked_at, log.opened_at) == (None, None)
    assert services.email_mark_clicked(log_id=log.pk, link_index=0, now=first) == "https://app.example.com/a"
    assert services.email_mark_clicked(log_id=log.pk, link_index=0, now=later) == "https://app.example.com/a"
    log.refresh_from_db()
    assert (log.clicked_at, log.opened_at) == (first, first)


def test_unsubscribing_again_keeps_the_first_time_and_source_and_resubscribing_clears_them(user):
    first = services.email_unsubscribe(user_id=user.pk, source=EmailPreference.Source.ONE_CLICK)
    again = services.email_unsubscribe(user_id=user.pk, source=EmailPreference.Source.STAFF)
    assert again.pk == first.pk
    assert (again.unsubscribed_at, again.source) == (first.unsubscribed_at, "one_click")
    assert services.is_unsubscribed(user.pk)
    preference = services.email_resubscribe(user_id=user.pk)
    assert (preference.unsubscribed_at, preference.source) == (None, "")
    assert not services.is_unsubscribed(user.pk)
    assert EmailPreference.objects.count() == 1
