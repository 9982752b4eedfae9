"""The one runner of the pipeline: the worker's task runs one step with ``step_execute``; the
foreground command, the demo and the benchmarks run a whole run with ``analysis_run``. Both
claim each step the same way, stop a superseded run quietly and record every other failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import structlog
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from agents.providers.errors import TransientProviderError
from champions.models import Champion
from champions.pipeline import NoSpeechFound, RecordingOverLimit
from champions.pipeline.failure import analysis_fail
from champions.pipeline.runs import Superseded
from champions.pipeline.steps import FIRST_STEP, PipelineStep, progress_at_start, step_named, steps_from

logger = structlog.get_logger(__name__)


def step_begin(champion_id: int, run_id: str, step: str) -> Champion:
    """Claims the step for this run with one conditional UPDATE and returns the champion."""
    claimed = Champion.objects.filter(
        pk=champion_id, analysis_run=uuid.UUID(run_id), status__in=(Champion.Status.QUEUED, Champion.Status.PROCESSING)
    ).update(
        status=Champion.Status.PROCESSING,
        step=step,
        progress=progress_at_start(step),
        step_started_at=timezone.now(),
        step_attempts=F("step_attempts") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        raise Superseded(f"champion {champion_id} is not in run {run_id}")
    return Champion.objects.get(pk=champion_id)


def run_step(champion_id: int, run_id: str, step: str) -> None:
    """Claims and runs one step; its errors go to the caller."""
    champion = step_begin(champion_id, run_id, step)
    started = timezone.now()
    step_named(step).run(champion)
    logger.info(
        "champion_step_done",
        champion_id=champion_id,
        step=step,
        seconds=round((timezone.now() - started).total_seconds(), 2),
    )


def step_execute(
    champion_id: int,
    run_id: str,
    step: str,
    *,
    retry: Callable[[TransientProviderError], None] | None = None,
) -> bool:
    """Runs one step of the run. True when it is done and the next step may follow; False when
    the run stops there: superseded (quietly) or failed (recorded on the champion, and through
    ``champion.failed`` in the ErrorLog).

    A transient provider error (rate limit, 5xx, timeout) goes to ``retry`` first, which raises
    to run the step again later while it has retries left; without one, or once it returns,
    the run fails.
    """
    try:
        run_step(champion_id, run_id, step)
    except Superseded:
        logger.info("champion_step_superseded", champion_id=champion_id, step=step)
        return False
    except TransientProviderError as exc:
        if retry is not None:
            retry(exc)
        return _fail(champion_id, run_id, step, exc)
    except (NoSpeechFound, RecordingOverLimit) as exc:
        # The recording's fault, not the system's: a readable failure, no traceback.
        logger.info("champion_recording_refused", champion_id=champion_id, step=step, error=str(exc))
        return _fail(champion_id, run_id, step, exc)
    except SoftTimeLimitExceeded:
        return _fail(champion_id, run_id, step, TimeoutError("the step took too long"))
    except Exception as exc:
        # A permanent error: recorded on the champion (and, through champion.failed, in the
        # ErrorLog); logged here once, not re-raised to be logged again by the caller.
        logger.exception("champion_step_failed", champion_id=champion_id, step=step)
        return _fail(champion_id, run_id, step, exc)
    return True


def _fail(champion_id: int, run_id: str, step: str, exc: BaseException) -> bool:
    analysis_fail(champion_id, run_id, step, exc)
    return False


def analysis_run(
    champion_id: int,
    run_id: str,
    *,
    from_step: str = FIRST_STEP,
    on_step: Callable[[PipelineStep], None] | None = None,
) -> bool:
    """Runs the steps of a claimed run in this process, ``from_step`` on, until one stops the
    run. ``on_step`` hears of each step as it starts. True when every step was done."""
    for step in steps_from(from_step):
        if on_step:
            on_step(step)
        if not step_execute(champion_id, run_id, step.name):
            return False
    return True


def analyses_stalled_claim() -> Iterator[tuple[int, str, str]]:
    """Runs whose current step has not moved for ``CHAMPION_STEP_STALE_SECONDS`` (their worker
    vanished mid-step), each claimed with a conditional UPDATE so that one sweeper alone resumes
    it. Yields (champion id, run id, the step to run again) as each is claimed, so that the
    caller resumes it before the next is claimed."""
    stale_before = timezone.now() - timedelta(seconds=settings.CHAMPION_STEP_STALE_SECONDS)
    stalled = Champion.objects.filter(
        status__in=(Champion.Status.QUEUED, Champion.Status.PROCESSING), analysis_run__isnull=False
    ).filter(
        Q(step_started_at__lt=stale_before) | Q(step_started_at__isnull=True, analysis_started_at__lt=stale_before)
    )
    for champion_id, run_id, step in stalled.values_list("id", "analysis_run", "step"):
        if (
            Champion.objects.filter(pk=champion_id, analysis_run=run_id)
            .filter(Q(step_started_at__lt=stale_before) | Q(step_started_at__isnull=True))
            .update(step_started_at=timezone.now())
        ):
            yield champion_id, str(run_id), step or FIRST_STEP
