"""Domain events → webhooks: the subscriber enqueues (after commit, only when an endpoint is
active, with whitelisted fields), and an event reaches a real receiver end to end."""

from __future__ import annotations

import json

import pytest

from accounts import services as account_services
from core import events
from core.events import DomainEvent
from webhooks_app import services, subscribers, tasks
from webhooks_app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks_app.testing import WebhookReceiver
from webhooks_app.tests.factories import FAILED_EVENT

pytestmark = pytest.mark.django_db


def test_a_domain_event_reaches_a_real_receiver_that_verifies_it_with_standardwebhooks(
    allow_loopback, eager_celery, django_capture_on_commit_callbacks
):
    holder: dict[str, WebhookEndpoint] = {}
    with WebhookReceiver(verify_secret=lambda: holder["endpoint"].secret) as receiver:
        holder["endpoint"] = services.endpoint_create(name="CRM", url=receiver.url("/in/champion-clone"))
        with django_capture_on_commit_callbacks(execute=True):
            user = account_services.user_register(
                email="new.rep@example.com", password="Sup3r-Secret!pass", full_name="New Rep"
            )
        [received] = receiver.wait_for(1)
    assert received.verified, received.verification_error
    assert received.path == "/in/champion-clone"
    assert received.headers["content-type"] == "application/json"
    body = json.loads(received.body)
    assert body["type"] == "user.registered"
    assert body["data"] == {"user_id": user.pk, "email": "new.rep@example.com", "full_name": "New Rep", "plan": "free"}
    delivery = WebhookDelivery.objects.get()
    assert received.headers["webhook-id"] == delivery.message_id
    assert delivery.status == "succeeded" and delivery.attempts == 1 and delivery.last_response_code == 200
    assert WebhookAttempt.objects.get(delivery=delivery).remote_address == "127.0.0.1"


def test_the_subscriber_enqueues_after_commit_with_the_event_id_as_message_id(
    user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from emails_app import tasks as email_tasks

    services.endpoint_create(name="All", url="https://1.1.1.1/a")
    sent: list[dict] = []
    monkeypatch.setattr(tasks.fan_out_event, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    monkeypatch.setattr(email_tasks.send_lifecycle_email, "apply_async", lambda *args, **kwargs: None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = events.publish(events.CHAMPION_FAILED, data=FAILED_EVENT.data, user_id=user.pk)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [call] = sent
    assert call["queue"] == settings.WEBHOOK_QUEUE
    assert call["kwargs"]["message_id"] == f"msg_{event.id}"
    assert "stack_trace" not in json.dumps(call["kwargs"])  # not even on the broker


def test_the_subscriber_enqueues_nothing_without_an_active_endpoint(user, monkeypatch):
    services.endpoint_create(name="Off", url="https://1.1.1.1/a", is_active=False)
    sent: list = []
    monkeypatch.setattr(tasks.fan_out_event, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    events.dispatch(
        DomainEvent(type=events.USER_LOGIN, data={"user_id": user.pk, "email": user.email}, user_id=user.pk)
    )
    assert sent == []


def test_the_subscriber_ignores_event_types_that_have_no_webhook(user, monkeypatch):
    services.endpoint_create(name="All", url="https://1.1.1.1/a")
    sent: list = []
    monkeypatch.setattr(tasks.fan_out_event, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    subscribers.enqueue_webhooks(DomainEvent(type="user.password_changed", data={"user_id": user.pk}, user_id=user.pk))
    assert sent == []


def test_team_and_assignment_events_reach_an_endpoint_subscribed_to_them_alone(
    allow_loopback, eager_celery, django_capture_on_commit_callbacks
):
    from accounts.tests.factories import UserFactory
    from teams import invitations
    from teams import services as team_services
    from teams.tests.factories import team_with

    holder: dict[str, WebhookEndpoint] = {}
    manager, rep = UserFactory(), UserFactory(email="rep@example.org")
    team = team_with(manager, name="Sales East")
    invitation = team_services.invitation_create(team=team, invited_by=manager, email=rep.email, role="rep")
    assignment = {"assignment_id": 5, "team_id": team.pk, "team_name": "Sales East", "champion_id": 2}
    with WebhookReceiver(verify_secret=lambda: holder["endpoint"].secret) as receiver:
        holder["endpoint"] = services.endpoint_create(
            name="LMS", url=receiver.url(), event_types=["team.member_joined", "assignment.passed"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            team_services.invitation_accept(
                user=rep, token=invitations.invitation_token(invitation.pk, invitation.nonce)
            )
            events.publish(events.ASSIGNMENT_CREATED, data=assignment, user_id=rep.pk)  # not subscribed
            events.publish(events.ASSIGNMENT_PASSED, data={**assignment, "best_score": 81.5}, user_id=rep.pk)
        received = receiver.wait_for(2)
    assert all(message.verified for message in received)
    bodies = sorted((json.loads(message.body) for message in received), key=lambda body: body["type"])
    assert [body["type"] for body in bodies] == ["assignment.passed", "team.member_joined"]
    assert bodies[0]["data"]["best_score"] == 81.5 and bodies[0]["data"]["user_id"] == rep.pk
    assert bodies[1]["data"] == {"user_id": rep.pk, "team_id": team.pk, "team_name": "Sales East", "role": "rep"}
    assert set(WebhookDelivery.objects.values_list("event_type", flat=True)) == {
        "assignment.passed",
        "team.member_joined",
    }


def test_with_the_broker_down_the_deliveries_are_written_and_the_sweep_sends_them(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from webhooks_app.services.dispatch import DISPATCH_LEASE

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    services.endpoint_create(name="CRM", url="https://1.1.1.1/a")
    monkeypatch.setattr(tasks.fan_out_event, "apply_async", broker_down)
    monkeypatch.setattr(tasks.deliver, "apply_async", broker_down)
    event = DomainEvent(type=events.CHAMPION_FAILED, user_id=user.pk, data=FAILED_EVENT.data)

    subscribers.enqueue_webhooks(event)  # after commit in the publishing process

    delivery = WebhookDelivery.objects.get()
    assert delivery.message_id == f"msg_{event.id}" and delivery.status == "pending" and delivery.attempts == 0
    sent: list[int] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    later = timezone.now() + DISPATCH_LEASE + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_dispatch_due(now=later) == [delivery.pk]  # the broker is back
    assert sent == [delivery.pk]
