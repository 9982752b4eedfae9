"""A real Celery worker process records into the shared metrics folder, and the web's /metrics
shows what it recorded (README.md, "Monitoring")."""

from __future__ import annotations

import pytest

from accounts.tasks import flush_expired_tokens
from core.testing.metrics import TEST_TOKEN, recorded, scrape, value
from core.testing.worker import celery_worker, wait_for

TASK = "accounts.tasks.flush_expired_tokens"
# The test worker's queue is its own: not a configured queue, so labelled "other".
LABELS = {"task": TASK, "queue": "other"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_run_by_a_real_worker_shows_on_the_webs_metrics(settings):
    settings.METRICS_TOKEN = TEST_TOKEN
    before = scrape()
    in_this_process = recorded("champion_clone_celery_tasks_succeeded_total", **LABELS)
    with celery_worker() as (process, queue):
        flush_expired_tokens.apply_async(queue=queue)

        def seen() -> bool:
            grown = value(scrape(), "champion_clone_celery_tasks_succeeded_total", **LABELS)
            return grown > value(before, "champion_clone_celery_tasks_succeeded_total", **LABELS) or (
                process.poll() is not None
            )

        wait_for(seen, timeout=90, message="the worker's task on /metrics")
        assert process.poll() is None, "the worker died"
    after = scrape()
    for name in ("champion_clone_celery_tasks_started_total", "champion_clone_celery_task_duration_seconds_count"):
        assert value(after, name, **LABELS) - value(before, name, **LABELS) == 1, name
    assert value(after, "champion_clone_db_queries_total", alias="default") > value(
        before, "champion_clone_db_queries_total", alias="default"
    )
    # Not counted here: the figures came from the worker's own process.
    assert recorded("champion_clone_celery_tasks_succeeded_total", **LABELS) == in_this_process
