import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from adminpanel.models import ActivityLog, ErrorLog
from champion_clone.celery import app as celery_app
from core import events
from core.errors import Conflict

pytestmark = pytest.mark.django_db


@api_view(["GET"])
@permission_classes([AllowAny])
def exploding_view(request):
    raise RuntimeError("secret internal detail: db password is hunter2")


@api_view(["GET"])
@permission_classes([AllowAny])
def conflicting_view(request):
    raise Conflict("Already analysing.")


urlpatterns = [path("boom", exploding_view), path("conflict", conflicting_view)]
handler500 = "core.api.exceptions.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_unhandled_exception_is_a_generic_500_and_an_error_log(anon_client):
    anon_client.raise_request_exception = False
    response = anon_client.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "hunter2" not in response.content.decode()
    error = ErrorLog.objects.get()
    assert error.error_type == "RuntimeError"
    assert "hunter2" in error.message
    assert "exploding_view" in error.stack_trace
    assert error.request_path == "/boom"


@pytest.mark.parametrize("body", ["[" * 200_000 + "]" * 200_000, '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(anon_client, body):
    anon_client.raise_request_exception = False
    response = anon_client.post("/auth/login", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    assert not ErrorLog.objects.exists()


@override_settings(ROOT_URLCONF=__name__)
def test_domain_errors_map_to_their_status_in_the_error_shape(anon_client):
    response = anon_client.get("/conflict")
    assert response.status_code == 409
    assert response.json() == {"detail": "Already analysing.", "code": "conflict", "fields": {}}


def test_failed_celery_task_is_recorded_in_error_log():
    @celery_app.task(name="tests.always_fails")
    def always_fails():
        raise ValueError("the task went wrong")

    always_fails.apply()
    error = ErrorLog.objects.get()
    assert error.error_type == "ValueError"
    assert "tests.always_fails" in error.source


def test_events_are_dispatched_only_after_commit(user, django_capture_on_commit_callbacks):
    received = []
    events.subscribe(events.SUBSCRIPTION_CHANGED, received.append)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            events.publish(events.SUBSCRIPTION_CHANGED, data={"user_id": user.pk}, user_id=user.pk)
            assert received == []
        assert [event.type for event in received] == ["subscription.changed"]
        assert ActivityLog.objects.filter(action="subscription.changed", user=user).count() == 1
    finally:
        events._subscribers[events.SUBSCRIPTION_CHANGED].remove(received.append)


def test_rolled_back_events_are_never_dispatched(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                events.publish(events.USER_LOGIN, data={}, user_id=user.pk)
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not ActivityLog.objects.exists()


def test_a_failing_subscriber_does_not_stop_the_others(user, django_capture_on_commit_callbacks):
    def broken(event):
        raise RuntimeError("listener down")

    events.subscribe(events.USER_LOGIN, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(events.USER_LOGIN, data={}, user_id=user.pk)
    finally:
        events._subscribers[events.USER_LOGIN].remove(broken)
    assert ActivityLog.objects.filter(action="user.login").count() == 1


def test_unknown_event_types_are_refused():
    with pytest.raises(ValueError):
        events.publish("user.exploded", data={})


def test_journey_stage_only_moves_forward(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(events.CHAMPION_ANALYZED, data={}, user_id=user.pk)
    user.refresh_from_db()
    assert user.journey_stage == "first_analysis"
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(events.CHAMPION_CREATED, data={}, user_id=user.pk)
    user.refresh_from_db()
    assert user.journey_stage == "first_analysis"
