"""The one runner of the pipeline: the worker's task runs one step with ``step_execute``; the
foreground command, the demo and the benchmarks run a whole run with ``analysis_run``. Both
claim each step the same way, stop a superseded run quietly and record every other failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import structlog
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from agents.providers.errors import TransientProviderError
from champions.models import Champion
from champions.pipeline import NoSpeechFound, RecordingOverLimit
from champions.pipeline.failure import analysis_fail
from champions.pipeline.heartbeat import heartbeat
from champions.pipeline.runs import Superseded
from champions.pipeline.steps import (
    FIRST_STEP,
    PipelineStep,
    progress_at_start,
    step_after,
    step_named,
    steps_from,
)

logger = structlog.get_logger(__name__)


BUSY = (Champion.Status.QUEUED, Champion.Status.PROCESSING)


def _claimable(step: str, now: datetime) -> Q:
    """The run's step ``step`` (or a run at no step yet) that no live attempt holds: waiting in
    the queue, or claimed by an attempt whose heartbeat stopped. A duplicate message of a step
    that is running, or that is done (the run moved on), claims nothing."""
    dead_before = now - timedelta(seconds=settings.CHAMPION_STEP_DEAD_AFTER_SECONDS)
    return Q(step="") | Q(step=step) & (
        Q(step_started_at__isnull=True)
        | Q(step_heartbeat_at__lt=dead_before)
        # Claimed before heartbeats existed: dead after the old, long limit.
        | Q(step_heartbeat_at__isnull=True, step_started_at__lt=now - _stale_after())
    )


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.CHAMPION_STEP_STALE_SECONDS)


def step_begin(champion_id: int, run_id: str, step: str) -> Champion:
    """Claims the step for this run as a new attempt with one conditional UPDATE and returns
    the champion (its ``step_attempts`` is the attempt's number, which its writes check)."""
    now = timezone.now()
    with transaction.atomic():  # the row stays locked by the UPDATE until the champion is read
        claimed = (
            Champion.objects.filter(pk=champion_id, analysis_run=uuid.UUID(run_id), status__in=BUSY)
            .filter(_claimable(step, now))
            .update(
                status=Champion.Status.PROCESSING,
                step=step,
                progress=progress_at_start(step),
                step_started_at=now,
                step_heartbeat_at=now,
                step_attempts=F("step_attempts") + 1,
                updated_at=now,
            )
        )
        if not claimed:
            raise Superseded(f"champion {champion_id} has no step {step} of run {run_id} waiting for a worker")
        return Champion.objects.get(pk=champion_id)


def _step_done(champion: Champion, step: str) -> None:
    """The step's attempt is done: the next step waits in the queue (the last step, finish,
    has already marked the champion ready)."""
    following = step_after(step)
    if following is None:
        return
    now = timezone.now()
    moved_on = Champion.objects.filter(
        pk=champion.pk, analysis_run=champion.analysis_run, step_attempts=champion.step_attempts, step=step
    ).update(step=following.name, step_started_at=None, step_heartbeat_at=now, updated_at=now)
    if not moved_on:
        raise Superseded(f"champion {champion.pk} changed run or attempt at the end of {step}")


def step_requeue(champion: Champion) -> None:
    """The attempt waits in the queue again (a retry after a transient error): not taken for
    dead while it backs off."""
    now = timezone.now()
    Champion.objects.filter(pk=champion.pk, step_attempts=champion.step_attempts, step=champion.step).update(
        step_started_at=None, step_heartbeat_at=now, updated_at=now
    )


def run_step(champion_id: int, run_id: str, step: str) -> None:
    """Claims and runs one step (for the callers that handle its errors themselves)."""
    _run_claimed(step_begin(champion_id, run_id, step))


def _run_claimed(champion: Champion) -> None:
    step, started = champion.step, timezone.now()
    with heartbeat(champion):
        step_named(step).run(champion)
    _step_done(champion, step)
    logger.info(
        "champion_step_done",
        champion_id=champion.pk,
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
        champion = step_begin(champion_id, run_id, step)
    except Superseded:
        logger.info("champion_step_not_claimed", champion_id=champion_id, step=step)
        return False
    try:
        _run_claimed(champion)
    except Superseded:
        logger.info("champion_step_superseded", champion_id=champion_id, step=step)
        return False
    except TransientProviderError as exc:
        if retry is not None:
            step_requeue(champion)
            retry(exc)
        return _fail(champion, exc)
    except (NoSpeechFound, RecordingOverLimit) as exc:
        # The recording's fault, not the system's: a readable failure, no traceback.
        logger.info("champion_recording_refused", champion_id=champion_id, step=step, error=str(exc))
        return _fail(champion, exc)
    except SoftTimeLimitExceeded:
        return _fail(champion, TimeoutError("the step took too long"))
    except Exception as exc:
        # A permanent error: recorded on the champion (and, through champion.failed, in the
        # ErrorLog); logged here once, not re-raised to be logged again by the caller.
        logger.exception("champion_step_failed", champion_id=champion_id, step=step)
        return _fail(champion, exc)
    return True


def _fail(champion: Champion, exc: BaseException) -> bool:
    analysis_fail(champion.pk, str(champion.analysis_run), champion.step, exc, attempt=champion.step_attempts)
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


def analyses_stalled_claim(*, every_waiting: bool = False) -> Iterator[tuple[int, str, str]]:
    """Runs whose current step lost its worker (claimed, and no heartbeat for
    ``CHAMPION_STEP_DEAD_AFTER_SECONDS``) or whose message may be lost (waiting in the queue
    for ``CHAMPION_STEP_STALE_SECONDS``, or at all with ``every_waiting``: a worker that has
    just connected to a broker that may have lost its data). Each is put back in the waiting state with a
    conditional UPDATE, so that one sweep alone sends it again, and yields (champion id, run
    id, the step to send again) as it is claimed, so that the caller sends it before the next."""
    now = timezone.now()
    stale_before = now if every_waiting else now - _stale_after()
    lost_worker = Q(step_started_at__isnull=False) & (
        Q(step_heartbeat_at__lt=now - timedelta(seconds=settings.CHAMPION_STEP_DEAD_AFTER_SECONDS))
        | Q(step_heartbeat_at__isnull=True, step_started_at__lt=now - _stale_after())
    )
    lost_message = Q(step_started_at__isnull=True) & (
        Q(step_heartbeat_at__lt=stale_before) | Q(step_heartbeat_at__isnull=True, analysis_started_at__lt=stale_before)
    )
    stalled = Champion.objects.filter(status__in=BUSY, analysis_run__isnull=False).filter(lost_worker | lost_message)
    for champion_id, run_id, step, attempt in stalled.values_list("id", "analysis_run", "step", "step_attempts"):
        # A duplicate of a message that was not lost claims nothing (``_claimable``): sending
        # one again is safe, and keeps the original's place in the queue.
        if stalled.filter(pk=champion_id, analysis_run=run_id, step=step, step_attempts=attempt).update(
            step_started_at=None, step_heartbeat_at=now, updated_at=now
        ):
            yield champion_id, str(run_id), step or FIRST_STEP
