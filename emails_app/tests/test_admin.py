"""The emails admin: every page and action, with admin_client."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from emails_app import services
from emails_app.models import EmailLog, EmailPreference, EmailTemplate, Trigger
from emails_app.tests.factories import EmailLogFactory

pytestmark = pytest.mark.django_db

TEMPLATES = reverse("admin:emails_app_emailtemplate_changelist")
LOGS = reverse("admin:emails_app_emaillog_changelist")
VALID = {
    "trigger": "welcome",
    "subject": "Hi {{ first_name }}",
    "body_html": "<p>Welcome {{ user_name }}</p>",
    "body_text": "",
    "is_active": "on",
}


def test_the_template_list_costs_the_same_queries_however_many_templates(admin_client, django_assert_num_queries):
    services.template_create(trigger="welcome", subject="s", body_html="b")
    with django_assert_num_queries(5):  # session, user, the filtered and the total count, the page
        assert admin_client.get(TEMPLATES).status_code == 200
    services.templates_seed()
    with django_assert_num_queries(5):
        response = admin_client.get(TEMPLATES)
    assert response.context["cl"].result_count == len(Trigger.values)


def test_creating_a_template_is_audited(admin_client, admin_user):
    response = admin_client.post(reverse("admin:emails_app_emailtemplate_add"), VALID)
    assert response.status_code == 302
    template = EmailTemplate.objects.get()
    entry = LogEntry.objects.get_for_object(template).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == admin_user
    assert entry.changes_dict["subject"][1] == "Hi {{ first_name }}"


@pytest.mark.parametrize(
    ("field", "source", "message"),
    [
        ("body_html", "<p>{% if first_name %}unclosed</p>", "does not compile"),
        ("body_html", "{% include 'emails/layout.html' %}", "{% include %}"),
        ("subject", "{{ first_name|unknown_filter }}", "does not compile"),
        ("body_text", "{% load static %}", "does not compile"),
    ],
)
def test_a_template_that_does_not_compile_is_refused_when_saved(admin_client, field, source, message):
    response = admin_client.post(reverse("admin:emails_app_emailtemplate_add"), {**VALID, field: source})
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field][0]
    assert not EmailTemplate.objects.exists()


LOOPS_5_DEEP = "{% for a in user_email %}" * 5 + "{{ a }}" + "{% endfor %}" * 5
HUGE_OUTPUT = "{% for a in user_email %}{% for b in user_email %}" + "x" * 400 + "{% endfor %}{% endfor %}"
DOUBLING = "{% firstof user_email as a %}" + "{% firstof a|add:a as a %}" * 30


@pytest.mark.parametrize(
    ("field", "source", "message"),
    [
        ("body_html", "{% with n=champion_name|safe %}{{ n }}{% endwith %}", "The |safe filter is not available"),
        ("body_html", "{% firstof champion_name|safe %}", "The |safe filter is not available"),
        ("body_html", "{% cycle champion_name|safe 'x' %}", "The |safe filter is not available"),
        ("body_html", "{% for c in champion_name|make_list|safeseq %}{{ c }}{% endfor %}", "The |safeseq filter"),
        ("body_html", "{% autoescape off %}{{ champion_name }}{% endautoescape %}", "{% autoescape %} is not"),
        ("body_html", "{{ champion_name|urlize }}", "The |urlize filter is not available"),
        ("body_html", '<a href="{{ champion_name }}">x</a>', "a link is written in the template"),
        ("body_html", LOOPS_5_DEEP, "loops nest 3 deep here; at most 2"),
        ("body_html", HUGE_OUTPUT, "renders 211,600 characters: at most 100,000"),
        ("body_text", DOUBLING, "produces too much text while rendering"),
        ("subject", "{% with n=first_name|safe %}{{ n }}{% endwith %}", "The |safe filter is not available"),
    ],
)
def test_a_template_that_escapes_escaping_or_costs_too_much_is_refused_when_saved(admin_client, field, source, message):
    response = admin_client.post(reverse("admin:emails_app_emailtemplate_add"), {**VALID, field: source})
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field][0]
    assert not EmailTemplate.objects.exists()


def test_updating_and_deleting_a_template_are_audited(admin_client):
    template = services.template_create(trigger="welcome", subject="Old", body_html="<p>x</p>")
    url = reverse("admin:emails_app_emailtemplate_change", args=[template.pk])
    assert admin_client.post(url, {**VALID, "subject": "New"}).status_code == 302
    update = LogEntry.objects.get_for_object(template).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["subject"] == ["Old", "New"]
    delete_url = reverse("admin:emails_app_emailtemplate_delete", args=[template.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, object_pk=str(template.pk)).exists()


def test_the_change_page_shows_variables_and_a_sandboxed_preview(admin_client):
    services.templates_seed()
    template = EmailTemplate.objects.get(trigger="champion_ready")
    page = admin_client.get(reverse("admin:emails_app_emailtemplate_change", args=[template.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "{{ patterns_count }}" in content and "Sarah&#x27;s discovery call is ready" in content
    preview_url = reverse("admin:emails_app_emailtemplate_preview", args=[template.pk])
    assert f'src="{preview_url}" sandbox=""' in content
    preview = admin_client.get(preview_url)
    assert preview.status_code == 200 and b"we found 18 sales patterns" in preview.content
    assert preview["Content-Security-Policy"].startswith("sandbox")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_send_test_email_to_me_sends_the_sample_to_the_staff_member(
    admin_client, admin_user, eager_celery, django_capture_on_commit_callbacks
):
    services.templates_seed()
    template = EmailTemplate.objects.get(trigger="training_completed")
    template.is_active = False  # a test of a template not yet switched on
    template.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(TEMPLATES, {"action": "send_test_email_to_me", "_selected_action": [template.pk]})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [admin_user.email]
    assert message.subject == "Your practice against Sarah's discovery call: 82/100"
    assert EmailLog.objects.get().dedupe_key.startswith("test:")


def test_the_email_log_list_costs_the_same_queries_however_many_rows(admin_client, django_assert_num_queries):
    def add_logs(count: int) -> None:
        EmailLogFactory.create_batch(count, trigger="welcome", dedupe_key="k")

    add_logs(2)
    # session, user, count, page, 2 for the date hierarchy
    with django_assert_num_queries(6):
        assert admin_client.get(LOGS).status_code == 200
    add_logs(25)
    with django_assert_num_queries(6):
        response = admin_client.get(LOGS)
    assert response.status_code == 200 and response.context["cl"].result_count == 27


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=sent", 1),
        ("trigger__exact=welcome", 2),
        ("opened=yes", 1),
        ("opened=no", 1),
        ("clicked=no", 2),
        ("q=second", 1),
    ],
)
def test_the_email_log_filters(admin_client, query, expected):
    first, second = UserFactory(email="first@example.com"), UserFactory(email="second@example.com")
    EmailLogFactory(user=first, trigger="welcome", dedupe_key="a", status="sent", opened_at=timezone.now())
    EmailLogFactory(user=second, trigger="welcome", dedupe_key="a")
    response = admin_client.get(f"{LOGS}?{query}")
    assert response.status_code == 200 and response.context["cl"].result_count == expected


def test_email_logs_are_read_only_and_their_page_opens(admin_client, user):
    log = EmailLogFactory(user=user, trigger="welcome", dedupe_key="a")
    assert admin_client.get(reverse("admin:emails_app_emaillog_change", args=[log.pk])).status_code == 200
    assert admin_client.get(reverse("admin:emails_app_emaillog_add")).status_code == 403


def test_unsubscribed_users_are_listed_and_can_be_subscribed_again(admin_client, user):
    preference = services.email_unsubscribe(user_id=user.pk)
    url = reverse("admin:emails_app_emailpreference_changelist")
    assert user.email in admin_client.get(url).content.decode()
    admin_client.post(url, {"action": "resubscribe", "_selected_action": [preference.pk]})
    assert not EmailPreference.objects.get().is_unsubscribed
    # Consent changes are audited, with the staff member who made them...
    resubscribed = LogEntry.objects.get_for_object(preference).filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert resubscribed.changes["unsubscribed_at"][1] == "None" and resubscribed.actor is not None
    # ...and cannot be done silently by deleting the preference.
    delete_url = reverse("admin:emails_app_emailpreference_delete", args=[preference.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
