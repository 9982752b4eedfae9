"""The webhooks admin: every page and action, with admin_client."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from webhooks_app import services
from webhooks_app.models import WebhookDelivery, WebhookEndpoint
from webhooks_app.testing import Answer, WebhookReceiver
from webhooks_app.tests.factories import make_deliveries, make_endpoints

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:webhooks_app_webhookendpoint_changelist")
DELIVERIES = reverse("admin:webhooks_app_webhookdelivery_changelist")
SECRET_PATTERN = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


def audit_text() -> str:
    return json.dumps(list(LogEntry.objects.values("changes", "additional_data", "serialized_data")), default=str)


def test_the_endpoint_list_costs_the_same_queries_for_3_or_30_endpoints(admin_client, django_assert_num_queries):
    make_endpoints(3)
    # session, user, the filtered and the total count, the page
    with django_assert_num_queries(5):
        assert admin_client.get(ENDPOINTS).status_code == 200
    make_endpoints(27)
    with django_assert_num_queries(5):
        response = admin_client.get(ENDPOINTS)
    assert response.status_code == 200 and response.context["cl"].result_count == 30
    assert b"whsec_" not in response.content


def test_creating_an_endpoint_shows_its_secret_once_and_audits_without_it(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:webhooks_app_webhookendpoint_add"),
        {
            "name": "CRM",
            "url": "https://1.1.1.1/hooks",
            "event_types": ["champion.analyzed", "training.completed"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert endpoint.event_types == ["champion.analyzed", "training.completed"]
    assert endpoint.created_by == admin_user
    change_page = admin_client.get(reverse("admin:webhooks_app_webhookendpoint_change", args=[endpoint.pk]))
    assert change_page.status_code == 200 and endpoint.secret not in change_page.content.decode()
    entry = LogEntry.objects.get_for_object(endpoint).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == admin_user
    assert "url" in entry.changes_dict and "secret" not in entry.changes_dict
    assert not SECRET_PATTERN.search(audit_text())


def test_a_private_url_is_refused_by_the_form(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_app_webhookendpoint_add"), {"name": "Internal", "url": "http://10.0.0.3/hooks"}
    )
    assert response.status_code == 200
    assert "private address" in response.context["adminform"].form.errors["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_updating_and_deleting_an_endpoint_are_audited(admin_client, admin_user):
    [endpoint] = make_endpoints(1)
    response = admin_client.post(
        reverse("admin:webhooks_app_webhookendpoint_change", args=[endpoint.pk]),
        {"name": "Renamed", "url": endpoint.url, "event_types": [], "is_active": "on"},
    )
    assert response.status_code == 302
    update = LogEntry.objects.get_for_object(endpoint).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["name"] == ["Endpoint 0", "Renamed"] and update.actor == admin_user
    response = admin_client.post(
        reverse("admin:webhooks_app_webhookendpoint_delete", args=[endpoint.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not WebhookEndpoint.objects.exists()
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, object_pk=str(endpoint.pk)).exists()
    assert not SECRET_PATTERN.search(audit_text())


def test_regenerating_a_secret_confirms_shows_the_new_one_once_and_audits_the_action(admin_client, admin_user):
    [endpoint] = make_endpoints(1)
    old_secret = endpoint.secret
    url = reverse("admin:webhooks_app_webhookendpoint_regenerate_secret", args=[endpoint.pk])
    confirmation = admin_client.get(url)
    assert confirmation.status_code == 200 and b"Regenerate the secret" in confirmation.content
    endpoint.refresh_from_db()
    assert endpoint.secret == old_secret  # GET changes nothing
    response = admin_client.post(url)
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and services.secrets_in_use(endpoint, timezone.now())[1] == old_secret
    assert endpoint.secret in response.content.decode() and old_secret not in response.content.decode()
    entry = LogEntry.objects.get_for_object(endpoint).get(action=LogEntry.Action.UPDATE)
    assert entry.additional_data["action"] == "WEBHOOK_SECRET_REGENERATE" and entry.actor == admin_user
    assert not SECRET_PATTERN.search(audit_text())


def test_the_regenerate_action_shows_each_new_secret(admin_client):
    endpoints = make_endpoints(2)
    response = admin_client.post(
        ENDPOINTS, {"action": "regenerate_secret", "_selected_action": [e.pk for e in endpoints]}
    )
    assert response.status_code == 200
    for endpoint in endpoints:
        endpoint.refresh_from_db()
        assert endpoint.secret in response.content.decode()


def test_enable_and_disable_actions(admin_client):
    endpoints = make_endpoints(2)
    admin_client.post(ENDPOINTS, {"action": "disable_endpoints", "_selected_action": [e.pk for e in endpoints]})
    assert not WebhookEndpoint.objects.filter(is_active=True).exists()
    assert WebhookEndpoint.objects.filter(disabled_reason__startswith="Disabled by admin@example.com").count() == 2
    admin_client.post(ENDPOINTS, {"action": "enable_endpoints", "_selected_action": [endpoints[0].pk]})
    endpoints[0].refresh_from_db()
    assert endpoints[0].is_active and endpoints[0].disabled_reason == ""


def test_send_test_event_action_and_page_deliver_a_signed_test_event(
    admin_client, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    holder: dict[str, WebhookEndpoint] = {}
    with WebhookReceiver(verify_secret=lambda: holder["endpoint"].secret) as receiver:
        holder["endpoint"] = endpoint = services.endpoint_create(name="CRM", url=receiver.url())
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(ENDPOINTS, {"action": "send_test_event", "_selected_action": [endpoint.pk]})
        assert response.status_code == 302
        page = reverse("admin:webhooks_app_webhookendpoint_send_test", args=[endpoint.pk])
        assert admin_client.get(page).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(page).status_code == 302
        received = receiver.wait_for(2)
    assert all(r.verified for r in received)
    assert {json.loads(r.body)["type"] for r in received} == {"webhook.test"}
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 2


def test_the_delivery_list_costs_the_same_queries_for_any_number_of_rows(admin_client, django_assert_num_queries):
    endpoints = make_endpoints(2)
    make_deliveries(endpoints, 2)
    # session, user, endpoint filter choices, count, page (endpoint joined), 2 for the date hierarchy
    with django_assert_num_queries(7):
        assert admin_client.get(DELIVERIES).status_code == 200
    make_deliveries(endpoints + make_endpoints(3), 20)
    with django_assert_num_queries(7):
        response = admin_client.get(DELIVERIES)
    assert response.status_code == 200 and b"msg_19" in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=pending", 2),
        ("status__exact=failed", 0),
        ("event_type__exact=user.login", 2),
        ("endpoint__id__exact={endpoint}", 2),
        ("created_at__year={year}", 2),
        ("created_at__year=2001", 0),
        ("q=msg_1", 1),
    ],
)
def test_the_delivery_filters_work(admin_client, query, expected):
    [endpoint] = make_endpoints(1)
    make_deliveries([endpoint], 2)
    response = admin_client.get(f"{DELIVERIES}?{query.format(endpoint=endpoint.pk, year=timezone.now().year)}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_a_delivery_page_shows_its_attempts_and_retry_now_attempts_again(
    admin_client, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with WebhookReceiver(Answer(500, body=b"database down"), Answer(200)) as receiver:
        endpoint = services.endpoint_create(name="CRM", url=receiver.url())
        [delivery_id] = services.event_deliveries_create(event_type="user.login", message_id="msg_a", payload={})
        services.delivery_attempt(delivery_id=delivery_id)
        page = admin_client.get(reverse("admin:webhooks_app_webhookdelivery_change", args=[delivery_id]))
        assert page.status_code == 200 and b"database down" in page.content
        # Not due before 5 s; "retry now" makes it due at once.
        WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now() + timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(DELIVERIES, {"action": "retry_now", "_selected_action": [delivery_id]})
        assert response.status_code == 302
        receiver.wait_for(2)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.endpoint) == ("succeeded", 2, endpoint)


def test_deliveries_cannot_be_added_or_edited_by_hand(admin_client):
    make_deliveries(make_endpoints(1), 1)
    delivery = WebhookDelivery.objects.get()
    assert admin_client.get(reverse("admin:webhooks_app_webhookdelivery_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:webhooks_app_webhookdelivery_change", args=[delivery.pk]), {"status": "succeeded"}
    )
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "pending"
