"""The analysis pipeline on Celery: one task per step, chained (DESIGN.md section 4).

Tasks take ids only and re-fetch. Steps are idempotent, so the tasks ack late and are
re-queued when a worker process dies mid-step; transient provider errors (rate limits,
5xx, timeouts) are retried with exponential backoff and jitter; any other error, or the
last retry, marks the champion failed. A beat task re-enqueues steps whose worker vanished
(the broker alone cannot always tell: the filesystem broker has no acknowledgements).
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from celery import chain, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from agents.providers.errors import TransientProviderError
from agents.providers.speech import get_voice_cloner
from champions import pipeline
from champions.models import Champion

logger = structlog.get_logger(__name__)

PIPELINE_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,  # idempotent steps: safe to run again after a crash
    "reject_on_worker_lost": True,
    "max_retries": None,  # bounded by CHAMPION_STEP_MAX_RETRIES below, read at run time
    "soft_time_limit": 3600,
    "time_limit": 3900,
    "ignore_result": True,
}


def _run(task, champion_id: int, run_id: str, step: str) -> None:
    try:
        pipeline.run_step(champion_id, run_id, step)
    except pipeline.Superseded:
        logger.info("champion_step_superseded", champion_id=champion_id, step=step)
        # Stops the chain: later steps of a superseded run must not run.
        raise Ignore() from None
    except TransientProviderError as exc:
        if task.request.retries < settings.CHAMPION_STEP_MAX_RETRIES:
            countdown = get_exponential_backoff_interval(
                factor=2, retries=task.request.retries, maximum=600, full_jitter=True
            )
            logger.warning(
                "champion_step_retry", champion_id=champion_id, step=step, error=str(exc), countdown=countdown
            )
            raise task.retry(exc=exc, countdown=max(1, countdown)) from exc
        pipeline.analysis_fail(champion_id, run_id, step, exc)
        raise Ignore() from None
    except pipeline.NoSpeechFound as exc:
        # The recording's fault, not the system's: a readable failure, no traceback.
        logger.info("champion_no_speech", champion_id=champion_id, error=str(exc))
        pipeline.analysis_fail(champion_id, run_id, step, exc)
        raise Ignore() from None
    except SoftTimeLimitExceeded as exc:
        pipeline.analysis_fail(champion_id, run_id, step, TimeoutError("the step took too long"))
        raise Ignore() from exc
    except Exception as exc:
        # A permanent error: record it on the champion (and, through champion.failed, in the
        # ErrorLog) instead of re-raising into Celery, which would log it a second time.
        logger.exception("champion_step_failed", champion_id=champion_id, step=step)
        pipeline.analysis_fail(champion_id, run_id, step, exc)
        raise Ignore() from None


@shared_task(name="champions.tasks.decode_audio", **PIPELINE_TASK_OPTIONS)
def decode_audio(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.DECODE)


@shared_task(name="champions.tasks.transcribe", **PIPELINE_TASK_OPTIONS)
def transcribe(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.TRANSCRIBE)


@shared_task(name="champions.tasks.analyse_voice", **PIPELINE_TASK_OPTIONS)
def analyse_voice(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.VOICE)


@shared_task(name="champions.tasks.extract_patterns", **PIPELINE_TASK_OPTIONS)
def extract_patterns(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.PATTERNS)


@shared_task(name="champions.tasks.embed_and_index", **PIPELINE_TASK_OPTIONS)
def embed_and_index(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.INDEX)


@shared_task(name="champions.tasks.generate_scenarios", **PIPELINE_TASK_OPTIONS)
def generate_scenarios(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.SCENARIOS)


@shared_task(name="champions.tasks.finish_analysis", **PIPELINE_TASK_OPTIONS)
def finish_analysis(self, champion_id: int, run_id: str) -> None:
    _run(self, champion_id, run_id, Champion.Step.FINISH)


TASK_BY_STEP = {
    Champion.Step.DECODE: decode_audio,
    Champion.Step.TRANSCRIBE: transcribe,
    Champion.Step.VOICE: analyse_voice,
    Champion.Step.PATTERNS: extract_patterns,
    Champion.Step.INDEX: embed_and_index,
    Champion.Step.SCENARIOS: generate_scenarios,
    Champion.Step.FINISH: finish_analysis,
}


def analysis_chain(champion_id: int, run_id: str, *, from_step: str = Champion.Step.DECODE):
    steps = pipeline.STEP_ORDER[pipeline.STEP_ORDER.index(from_step) :]
    # The queue rides in each signature, so the worker that sends the next step keeps it.
    queue = settings.CHAMPION_PIPELINE_QUEUE
    return chain(*(TASK_BY_STEP[step].si(champion_id, run_id).set(queue=queue) for step in steps))


def analysis_pipeline_start(champion_id: int, run_id: str, *, from_step: str = Champion.Step.DECODE) -> None:
    """The orchestrator: enqueue the chain of steps (called after commit)."""
    analysis_chain(champion_id, run_id, from_step=from_step).apply_async()


@shared_task(name="champions.tasks.resume_stalled_analyses", ignore_result=True)
def resume_stalled_analyses() -> int:
    """Re-enqueues the current step of analyses whose worker vanished mid-step."""
    stale_before = timezone.now() - timedelta(seconds=settings.CHAMPION_STEP_STALE_SECONDS)
    resumed = 0
    stalled = Champion.objects.filter(
        status__in=(Champion.Status.QUEUED, Champion.Status.PROCESSING), analysis_run__isnull=False
    ).filter(
        Q(step_started_at__lt=stale_before) | Q(step_started_at__isnull=True, analysis_started_at__lt=stale_before)
    )
    for champion_id, run_id, step in stalled.values_list("id", "analysis_run", "step"):
        # Claim it: only one sweeper re-enqueues a given stalled step.
        if (
            Champion.objects.filter(pk=champion_id, analysis_run=run_id)
            .filter(Q(step_started_at__lt=stale_before) | Q(step_started_at__isnull=True))
            .update(step_started_at=timezone.now())
        ):
            analysis_pipeline_start(champion_id, str(run_id), from_step=step or Champion.Step.DECODE)
            resumed += 1
    return resumed


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
