"""The measurements behind the admin's scoring-health page (``JudgeHealthRun``): requested
(at most one pending or running per judge version), claimed by one worker, finished with its
figures or failed with the reason. What is measured is the admin's business; this module only
keeps the runs."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from training.models import JudgeHealthRun

ACTIVE = [JudgeHealthRun.Status.PENDING, JudgeHealthRun.Status.RUNNING]
# A run still pending or running after this long lost its worker (a measurement takes minutes).
STALE_AFTER = timedelta(minutes=30)


@transaction.atomic
def judge_health_run_request(
    *, judge_version: str, requested_by: User | None = None, fresh_for: timedelta | None = None
) -> tuple[JudgeHealthRun, bool]:
    """A new pending run of ``judge_version`` (``True``), or the run that makes one needless
    (``False``): one pending or running already, or, with ``fresh_for``, one finished that
    recently. Runs whose worker vanished are failed first, so they never block a new one."""
    now = timezone.now()
    runs = JudgeHealthRun.objects.filter(judge_version=judge_version)
    runs.filter(status__in=ACTIVE, created_at__lt=now - STALE_AFTER).update(
        status=JudgeHealthRun.Status.FAILED, finished_at=now, error="The worker did not finish in time."
    )
    recent = Q(status__in=ACTIVE)
    if fresh_for is not None:
        recent |= Q(status=JudgeHealthRun.Status.FINISHED, finished_at__gte=now - fresh_for)
    if existing := runs.filter(recent).order_by("-created_at", "-id").first():
        return existing, False
    try:
        with transaction.atomic():
            return JudgeHealthRun.objects.create(judge_version=judge_version, requested_by=requested_by), True
    except IntegrityError:  # a concurrent request created it
        return runs.filter(status__in=ACTIVE).get(), False


def judge_health_run_claim(*, run_id: int) -> bool:
    """Pending → running; ``False`` when another worker has it or it is no longer pending."""
    return bool(
        JudgeHealthRun.objects.filter(pk=run_id, status=JudgeHealthRun.Status.PENDING).update(
            status=JudgeHealthRun.Status.RUNNING, started_at=timezone.now()
        )
    )


def judge_health_run_finish(*, run_id: int, figures: dict) -> None:
    JudgeHealthRun.objects.filter(pk=run_id, status=JudgeHealthRun.Status.RUNNING).update(
        status=JudgeHealthRun.Status.FINISHED, figures=figures, finished_at=timezone.now()
    )


def judge_health_run_fail(*, run_id: int, error: str) -> None:
    JudgeHealthRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
        status=JudgeHealthRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
