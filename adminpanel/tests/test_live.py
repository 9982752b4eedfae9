"""The admin's Live page (/django-admin/live/) and its partial: staff with the errors' view
permission only, a fixed number of queries, a broker that does not answer reported rather than
waited for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from adminpanel.live import pipeline_steps
from adminpanel.models import AdminAlert, ErrorLog
from adminpanel.tests.conftest import staff_client
from champions.models import Champion
from champions.tests.factories import QueuedChampionFactory

pytestmark = pytest.mark.django_db

PAGE, PARTIAL = "/django-admin/live/", "/django-admin/live/partial/"


@pytest.fixture(autouse=True)
def _quick_broker(monkeypatch):
    """The page asks the real broker; no worker listens in a test, so the ping would spend its
    whole timeout on every request: answered by no one, at once."""
    monkeypatch.setattr("adminpanel.live.workers_seen", lambda: [])


def _scene() -> None:
    now = timezone.now()
    QueuedChampionFactory(
        status=Champion.Status.PROCESSING, step="transcribe", step_started_at=now, step_heartbeat_at=now
    )
    QueuedChampionFactory(
        status=Champion.Status.PROCESSING,
        step="patterns",
        step_started_at=now - timedelta(minutes=5),
        step_heartbeat_at=now - timedelta(minutes=4),
    )
    QueuedChampionFactory(step="", analysis_started_at=now)
    for n in range(3):
        ErrorLog.objects.create(error_type="ValueError", message=f"boom {n}", source="test")
        AdminAlert.objects.create(type="test.alert", message=f"look {n}")


def test_anonymous_visitors_and_reps_are_sent_to_the_login(user):
    rep = Client()
    rep.force_login(user)
    for client in (Client(), rep):
        for url in (PAGE, PARTIAL):
            response = client.get(url)
            assert response.status_code == 302 and "/django-admin/login/" in response["Location"]


def test_staff_without_the_errors_view_permission_are_refused():
    client, _ = staff_client(None)
    assert client.get(PAGE).status_code == 403
    assert client.get(PARTIAL).status_code == 403


def test_support_sees_the_page_with_its_script_from_static_files(support):
    client, _ = support
    _scene()
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="/static/adminpanel/live.js"' in body and "cdn" not in body.lower()
    assert f'data-partial-url="{PARTIAL}"' in body
    for section in ("live-queues", "live-workers", "live-steps", "live-errors", "live-alerts"):
        assert f'id="{section}"' in body
    assert "No worker answered the ping." in body


def test_the_partial_shows_queues_steps_errors_and_alerts(admin_client):
    _scene()
    response = admin_client.get(PARTIAL)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "<html" not in body
    assert "pipeline" in body and "light" in body
    assert body.count('class="live-step-running"') == 1
    assert body.count('class="live-step-stalled"') == 1
    assert body.count('class="live-step-waiting"') == 1
    assert "boom 2" in body and "look 2" in body


def test_the_partial_takes_the_same_queries_however_much_there_is(admin_client, django_assert_num_queries):
    _scene()
    admin_client.get(PARTIAL)
    # The session, the user, then the steps with their owners, the errors, the alerts.
    with django_assert_num_queries(5):
        assert admin_client.get(PARTIAL).status_code == 200
    for _ in range(2):
        _scene()
    with django_assert_num_queries(5):
        assert admin_client.get(PARTIAL).status_code == 200


def test_a_step_whose_heartbeat_stopped_is_stalled_and_one_that_beats_is_running():
    now = timezone.now()
    dead_after = settings.CHAMPION_STEP_DEAD_AFTER_SECONDS
    alive = QueuedChampionFactory(
        status="processing", step="transcribe", step_started_at=now - timedelta(hours=1), step_heartbeat_at=now
    )
    dead = QueuedChampionFactory(
        status="processing",
        step="decode",
        step_started_at=now - timedelta(minutes=2),
        step_heartbeat_at=now - timedelta(seconds=dead_after + 5),
    )
    states = {row.champion_id: row.state for row in pipeline_steps(now)}
    assert states == {alive.pk: "running", dead.pk: "stalled"}


@pytest.mark.timeout(60)  # a hung ping fails the test instead of holding the run
def test_a_broker_that_is_not_there_is_reported_not_waited_for(admin_client, monkeypatch):
    from champion_clone.celery import app
    from core.metrics import queues

    monkeypatch.setattr("adminpanel.live.workers_seen", queues.workers_seen)
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = admin_client.get(PARTIAL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The broker did not answer" in body and "No answer from the broker" in body


def test_the_dashboard_links_to_the_live_page(admin_client):
    assert 'href="/django-admin/live/"' in admin_client.get("/django-admin/").content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_answers_the_ping():
    from core.metrics.queues import workers_seen
    from core.testing.worker import celery_worker, wait_for

    with celery_worker() as (process, queue):
        wait_for(
            lambda: any(name.startswith(f"{queue}@") for name in workers_seen()) or process.poll() is not None,
            timeout=90,
            message="the worker to answer the ping",
        )
        assert process.poll() is None, "the worker died"
