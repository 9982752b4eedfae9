"""The analysis pipeline on Celery: one task runs any step by name, then enqueues the step after
it in the registry (``champions.pipeline.steps``).

Tasks take ids only and re-fetch. Steps are idempotent, so the step task acks late and is
re-queued when a worker process dies mid-step; transient provider errors (rate limits, 5xx,
timeouts) are retried with exponential backoff and jitter; any other error, or the last retry,
marks the champion failed (``champions.pipeline.runner``). A beat task re-enqueues steps whose
worker vanished (the broker alone cannot always tell: the filesystem broker has no
acknowledgements).

Services start work here by the tasks' registered names (``core.tasks``); nothing imports this
module but Celery's autodiscovery.
"""

from __future__ import annotations

import structlog
from celery import Task, current_task, shared_task
from celery.exceptions import Ignore
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from agents.providers.errors import TransientProviderError
from agents.providers.speech import get_voice_cloner
from champions.pipeline import runner
from champions.pipeline.steps import FIRST_STEP, step_after

logger = structlog.get_logger(__name__)


def _queue_of(task: Task | None) -> str:
    """The queue ``task`` was taken from: a run stays on the queue it was started on (a test
    worker's own queue included); outside a worker (eager mode), the pipeline queue."""
    delivery_info = (task.request.delivery_info if task else None) or {}  # a Proxy: falsy outside a task
    return delivery_info.get("routing_key") or settings.CHAMPION_PIPELINE_QUEUE


def _step_enqueue(champion_id: int, run_id: str, step: str, *, queue: str) -> None:
    run_pipeline_step.apply_async((champion_id, run_id, step), queue=queue)


def analysis_pipeline_start(champion_id: int, run_id: str) -> None:
    """Enqueues the run's first step, on the queue of the task starting it; each step enqueues
    the next one when it is done."""
    _step_enqueue(champion_id, run_id, FIRST_STEP, queue=_queue_of(current_task))


@shared_task(name="champions.tasks.start_analysis", ignore_result=True)
def start_analysis(champion_id: int, run_id: str) -> None:
    """Starts a claimed run. ``champion_analysis_request`` enqueues it by name after commit, on
    the pipeline queue; which step comes first is this module's business, not the service's."""
    analysis_pipeline_start(champion_id, run_id)


def _retry_transient(task: Task, champion_id: int, step: str, exc: TransientProviderError) -> None:
    """Raises Celery's Retry (the same step, later, with backoff and jitter) while retries
    remain; returns once they are spent, and the run fails."""
    if task.request.retries >= settings.CHAMPION_STEP_MAX_RETRIES:
        return
    countdown = get_exponential_backoff_interval(factor=2, retries=task.request.retries, maximum=600, full_jitter=True)
    logger.warning("champion_step_retry", champion_id=champion_id, step=step, error=str(exc), countdown=countdown)
    raise task.retry(exc=exc, countdown=max(1, countdown)) from exc


@shared_task(
    bind=True,
    name="champions.tasks.run_pipeline_step",
    acks_late=True,  # idempotent steps: safe to run again after a crash
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by CHAMPION_STEP_MAX_RETRIES, read at run time
    soft_time_limit=3600,
    time_limit=3900,
    ignore_result=True,
)
def run_pipeline_step(self: Task, champion_id: int, run_id: str, step: str) -> None:
    """Runs the run's step ``step``, then enqueues the next one on the same queue."""
    done = runner.step_execute(
        champion_id, run_id, step, retry=lambda exc: _retry_transient(self, champion_id, step, exc)
    )
    if not done:
        # Superseded or failed (and recorded): the run stops here. Ignore, not an error that
        # Celery would log a second time.
        raise Ignore()
    following = step_after(step)
    if following is not None:
        _step_enqueue(champion_id, run_id, following.name, queue=_queue_of(self))


def analyses_resume(*, every_waiting: bool = False) -> int:
    """Sends again the current step of analyses whose worker vanished mid-step (or whose
    message may be lost: ``runner.analyses_stalled_claim``); how many were sent."""
    resumed = 0
    for champion_id, run_id, step in runner.analyses_stalled_claim(every_waiting=every_waiting):
        _step_enqueue(champion_id, run_id, step, queue=settings.CHAMPION_PIPELINE_QUEUE)
        resumed += 1
    if resumed:
        logger.warning("champion_steps_resumed", count=resumed, every_waiting=every_waiting)
    return resumed


@shared_task(name="champions.tasks.resume_stalled_analyses", ignore_result=True)
def resume_stalled_analyses() -> int:
    """Beat's sweep (every ``CHAMPION_STEP_SWEEP_SECONDS``): ``analyses_resume``."""
    return analyses_resume()


@shared_task(
    name="champions.tasks.delete_voice_clone",
    ignore_result=True,
    acks_late=True,  # deleting twice is harmless: a voice already gone counts as deleted
    autoretry_for=(TransientProviderError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=12,
)
def delete_voice_clone(voice_id: str) -> None:
    """Deletes a champion's voice clone at the speech vendor (champion deleted or re-analysed)."""
    cloner = get_voice_cloner()
    if cloner is None:
        logger.warning("voice_clone_not_deleted_without_vendor_key", voice_id=voice_id)
        return
    cloner.delete_voice(voice_id)
