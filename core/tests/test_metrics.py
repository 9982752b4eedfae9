"""``/metrics`` (README.md, "Monitoring"): hidden unless a token is configured and presented,
then every family with bounded labels; the multiprocess folder's upkeep."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.core.cache import cache
from django.test import Client
from prometheus_client.mmap_dict import MmapedDict

from core.metrics import multiprocess
from core.metrics.registry import TASKS_SUCCEEDED
from core.testing.metrics import TEST_TOKEN, names, recorded, scrape, value

P = "champion_clone"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TEST_TOKEN
    return TEST_TOKEN


def test_metrics_is_a_404_in_the_api_shape_when_no_token_is_configured(settings, db):
    settings.METRICS_TOKEN = ""
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer "}, {"HTTP_AUTHORIZATION": "Bearer anything"}):
        response = Client().get("/metrics", **headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found", "fields": {}}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token", f"Bearer {TEST_TOKEN}x", TEST_TOKEN, f"Basic {TEST_TOKEN}", f"bearer{TEST_TOKEN}"],
)
def test_metrics_refuses_a_missing_or_wrong_token_with_a_404(metrics_token, db, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().get("/metrics", **headers)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert b"champion_clone_" not in response.content


def test_metrics_refuses_writes(metrics_token, db):
    response = Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TEST_TOKEN}")
    assert response.status_code == 405


def test_metrics_serves_the_text_format_with_the_right_token(metrics_token, db):
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TEST_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_requests_are_counted_by_route_name_never_by_path(metrics_token, db, api_client):
    before = scrape()
    for champion_id in (123456, 123457):
        assert api_client.get(f"/champions/{champion_id}").status_code == 404
    Client().get("/no-such-page/abc")
    after = scrape()
    labels = {"view": "champion-detail", "method": "GET", "status": "404"}
    assert value(after, f"{P}_http_requests_total", **labels) - value(before, f"{P}_http_requests_total", **labels) == 2
    latency = f"{P}_http_request_duration_seconds_count"
    assert value(after, latency, view="champion-detail", method="GET") >= 2
    assert value(after, f"{P}_http_requests_total", view="<unresolved>", method="GET", status="404") >= 1
    views = {dict(labels)["view"] for name, labels in after if name == f"{P}_http_requests_total"}
    assert not any("/" in view for view in views), views


def test_database_queries_and_cache_reads_are_counted(db, user):
    from accounts.models import User

    queries, hits, misses = (
        recorded(f"{P}_db_queries_total", alias="default"),
        recorded(f"{P}_cache_gets_total", cache="default", result="hit"),
        recorded(f"{P}_cache_gets_total", cache="default", result="miss"),
    )
    list(User.objects.all())
    list(User.objects.filter(pk=user.pk))
    cache.set("metrics-test-key", 1)
    cache.get("metrics-test-key")
    cache.get("metrics-test-missing")
    cache.get_many(["metrics-test-key", "metrics-test-missing-2"])

    assert recorded(f"{P}_db_queries_total", alias="default") - queries == 2
    assert recorded(f"{P}_cache_gets_total", cache="default", result="hit") - hits == 2
    assert recorded(f"{P}_cache_gets_total", cache="default", result="miss") - misses == 2


def test_cache_reads_still_return_what_django_returns(db):
    cache.set("present", None)  # a stored None is a hit, not the default
    assert cache.get("present", "default") is None
    assert cache.get("absent", "default") == "default"
    assert cache.get_or_set("made", lambda: 7) == 7
    assert cache.get("made") == 7


def test_scrape_time_gauges_are_present(metrics_token, db):
    samples = scrape()
    assert value(samples, f"{P}_celery_queue_depth", queue="pipeline") >= 0
    assert (f"{P}_celery_queue_depth", frozenset({("queue", "light")})) in samples
    assert (f"{P}_champions", frozenset({("status", "ready")})) in samples


def test_every_defined_family_appears_once_recorded(metrics_token, db):
    expected = {
        f"{P}_http_requests_total",
        f"{P}_http_request_duration_seconds_bucket",
        f"{P}_db_queries_total",
        f"{P}_cache_gets_total",
        f"{P}_celery_queue_depth",
        f"{P}_champions",
    }
    Client().get("/health")
    assert expected <= names(scrape())


def test_the_folder_of_a_dead_process_is_folded_into_the_archive(tmp_path):
    """A process that counted and exited: its counts survive in the archive, its file goes."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    script = textwrap.dedent(
        """
        from prometheus_client import Counter
        Counter("folded_total", "test", ["kind"]).labels("a").inc(3)
        """
    )
    for _ in range(2):
        env = {**os.environ, multiprocess.ENVIRONMENT_VARIABLE: str(directory)}
        subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert len(list(directory.glob("counter_*.db"))) == 2

    assert multiprocess.compact(directory) == 2

    assert [path.name for path in directory.glob("counter_*.db")] == ["counter_archive.db"]
    totals = {
        key: count for key, count, _, _ in MmapedDict.read_all_values_from_file(str(directory / "counter_archive.db"))
    }
    assert sum(count for key, count in totals.items() if "folded_total" in key) == 6
    assert multiprocess.compact(directory) == 0  # nothing dead left: nothing added twice


def test_the_files_of_live_processes_are_kept(tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    own = directory / f"counter_{os.getpid()}.db"
    MmapedDict(str(own)).close()
    assert multiprocess.compact(directory) == 0
    assert own.exists()


def test_this_process_writes_into_the_configured_folder():
    TASKS_SUCCEEDED.labels("core.tests.probe", "other").inc()
    directory = multiprocess.configured_directory()
    assert directory is not None
    assert (directory / f"counter_{os.getpid()}.db").exists()


def test_alerts_raised_are_counted_by_type(db):
    from core import ops

    before = recorded(f"{P}_alerts_raised_total", type="core.test_alert")
    ops.alert_raise(type="core.test_alert", message="Look at this.")
    ops.alert_raise(type="core.test_alert", message="And again (deduplicated in the admin, counted here).")
    assert recorded(f"{P}_alerts_raised_total", type="core.test_alert") - before == 2
