"""Requesting and running a measurement of the offline judge (``training.JudgeHealthRun``).

The page asks for one whenever the current version's latest is older than ``FRESH_FOR`` (its
cache, kept in the database so that the worker's figures reach every web process); staff may
ask for one at once. The worker claims the run, measures, and stores the figures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from accounts.models import User
from adminpanel.scoring_health.measure import measure
from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION
from core.tasks import enqueue_on_commit
from training import services
from training.models import JudgeHealthRun

FRESH_FOR = timedelta(minutes=10)
TASK_NAME = "adminpanel.tasks.measure_judge"


def scoring_health_request(*, requested_by: User | None = None, force: bool = False) -> tuple[JudgeHealthRun, bool]:
    """A run of the current offline judge, enqueued after commit when a new one is needed: none
    is pending or running and (unless ``force``) none finished in the last ``FRESH_FOR``."""
    run, created = services.judge_health_run_request(
        judge_version=OFFLINE_JUDGE_VERSION, requested_by=requested_by, fresh_for=None if force else FRESH_FOR
    )
    if created:
        # Minutes of CPU: the pipeline queue, not the light one that sends emails and webhooks.
        enqueue_on_commit(TASK_NAME, run.pk, queue=settings.CHAMPION_PIPELINE_QUEUE)
    return run, created


def scoring_health_run(run_id: int) -> bool:
    """Measures for a pending run; ``False`` when another worker claimed it. A failure is kept
    on the run (the page shows it) and raised, so the task's error is recorded too."""
    if not services.judge_health_run_claim(run_id=run_id):
        return False
    try:
        figures = measure()
    except Exception as exc:
        services.judge_health_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    services.judge_health_run_finish(run_id=run_id, figures=figures)
    return True
