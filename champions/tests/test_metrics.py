"""The pipeline's metrics (README.md, "Monitoring"), recorded from Celery's signals and the
champion events (``champion_clone.monitoring``) while the steps run eagerly with stand-ins."""

from __future__ import annotations

import pytest

from agents.providers.errors import TransientProviderError
from champion_clone.monitoring import champions_by_status
from champions.pipeline import steps
from champions.tasks import run_pipeline_step
from champions.tests.factories import QueuedChampionFactory, ReadyChampionFactory
from core.testing.metrics import recorded

pytestmark = pytest.mark.django_db

P = "champion_clone"
STEP_TASK = "champions.tasks.run_pipeline_step"


def _run(champion) -> None:
    run_pipeline_step.delay(champion.pk, str(champion.analysis_run), steps.FIRST_STEP)


def test_every_step_done_records_its_duration_and_real_time_factor(scripted_steps):
    champion = QueuedChampionFactory(duration_seconds=120.0)
    before = {step.name: recorded(f"{P}_pipeline_step_duration_seconds_count", step=step.name) for step in steps.STEPS}
    factor_before = recorded(f"{P}_pipeline_step_realtime_factor_count", step="transcribe")
    _run(champion)
    for step in steps.STEPS:
        assert recorded(f"{P}_pipeline_step_duration_seconds_count", step=step.name) - before[step.name] == 1
    assert recorded(f"{P}_pipeline_step_realtime_factor_count", step="transcribe") - factor_before == 1


def test_a_recording_of_no_length_records_no_real_time_factor(scripted_steps):
    before = recorded(f"{P}_pipeline_step_realtime_factor_count", step="decode")
    _run(QueuedChampionFactory(duration_seconds=0))
    assert recorded(f"{P}_pipeline_step_realtime_factor_count", step="decode") == before


def test_tasks_are_counted_started_succeeded_retried_with_their_duration(scripted_steps, settings):
    settings.CHAMPION_STEP_MAX_RETRIES = 3
    scripted_steps.fail("transcribe", TransientProviderError("overloaded", provider="openai"), times=1)
    labels = {"task": STEP_TASK, "queue": "other"}  # eager: no broker delivery, so no queue
    names = ("started", "succeeded", "retried")
    before = {name: recorded(f"{P}_celery_tasks_{name}_total", **labels) for name in names}
    durations = recorded(f"{P}_celery_task_duration_seconds_count", **labels)
    _run(QueuedChampionFactory())
    grew = {name: recorded(f"{P}_celery_tasks_{name}_total", **labels) - before[name] for name in names}
    assert grew == {"started": len(steps.STEPS) + 1, "succeeded": len(steps.STEPS), "retried": 1}
    assert recorded(f"{P}_celery_task_duration_seconds_count", **labels) - durations == len(steps.STEPS) + 1


def test_a_failed_analysis_is_counted_with_its_step(scripted_steps, django_capture_on_commit_callbacks):
    scripted_steps.fail("patterns", ValueError("nonsense"))
    before = recorded(f"{P}_pipeline_analyses_total", outcome="failed", step="patterns")
    done_before = recorded(f"{P}_pipeline_step_duration_seconds_count", step="patterns")
    with django_capture_on_commit_callbacks(execute=True):
        _run(QueuedChampionFactory())
    assert recorded(f"{P}_pipeline_analyses_total", outcome="failed", step="patterns") - before == 1
    assert recorded(f"{P}_pipeline_step_duration_seconds_count", step="patterns") == done_before


def test_champions_by_status_counts_every_status_in_one_query(django_assert_num_queries):
    ReadyChampionFactory.create_batch(2)
    QueuedChampionFactory()
    with django_assert_num_queries(1):
        counts = champions_by_status()
    assert counts["ready"] == 2 and counts["queued"] == 1 and counts["failed"] == 0
