"""The runs behind the scoring-health page: one pending or running per judge version, a
recent finished one makes a new one needless, a lost worker's run never blocks, one worker
claims a run, and it finishes with its figures or fails with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from training import services
from training.models import JudgeHealthRun

pytestmark = pytest.mark.django_db

TEN_MINUTES = timedelta(minutes=10)


def request(version: str = "2", **options) -> tuple[JudgeHealthRun, bool]:
    return services.judge_health_run_request(judge_version=version, **options)


def test_a_first_request_creates_a_pending_run(admin_user):
    run, created = request(requested_by=admin_user, fresh_for=TEN_MINUTES)
    assert created and (run.status, run.judge_version, run.requested_by_id) == ("pending", "2", admin_user.pk)


def test_while_a_run_is_pending_or_running_no_other_is_created():
    first, _ = request()
    assert request() == (first, False)
    services.judge_health_run_claim(run_id=first.pk)
    assert request(fresh_for=TEN_MINUTES) == (first, False)
    assert request("3")[1] is True  # another version has runs of its own
    with pytest.raises(IntegrityError), transaction.atomic():
        JudgeHealthRun.objects.create(judge_version="2")


def test_a_recently_finished_run_is_fresh_unless_forced():
    run, _ = request()
    services.judge_health_run_claim(run_id=run.pk)
    services.judge_health_run_finish(run_id=run.pk, figures={"gold": {"replies": 0}})

    assert request(fresh_for=TEN_MINUTES) == (JudgeHealthRun.objects.get(pk=run.pk), False)
    JudgeHealthRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(minutes=11))
    assert request(fresh_for=TEN_MINUTES)[1] is True


def test_a_forced_request_after_a_finished_run_creates_one():
    run, _ = request()
    services.judge_health_run_claim(run_id=run.pk)
    services.judge_health_run_finish(run_id=run.pk, figures={})
    assert request(fresh_for=None)[1] is True


def test_a_run_whose_worker_vanished_is_failed_and_does_not_block():
    lost, _ = request()
    JudgeHealthRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=31))

    fresh, created = request()

    lost.refresh_from_db()
    assert created and fresh.pk != lost.pk
    assert lost.status == "failed" and "did not finish" in lost.error


def test_one_worker_claims_a_run():
    run, _ = request()
    assert services.judge_health_run_claim(run_id=run.pk) is True
    assert services.judge_health_run_claim(run_id=run.pk) is False
    assert JudgeHealthRun.objects.get(pk=run.pk).started_at is not None


def test_finishing_stores_the_figures_of_a_running_run_only():
    run, _ = request()
    services.judge_health_run_finish(run_id=run.pk, figures={"x": 1})  # not claimed: ignored
    assert JudgeHealthRun.objects.get(pk=run.pk).status == "pending"
    services.judge_health_run_claim(run_id=run.pk)
    services.judge_health_run_finish(run_id=run.pk, figures={"x": 1})
    run.refresh_from_db()
    assert (run.status, run.figures) == ("finished", {"x": 1}) and run.finished_at is not None


def test_a_failure_keeps_its_reason():
    run, _ = request()
    services.judge_health_run_claim(run_id=run.pk)
    services.judge_health_run_fail(run_id=run.pk, error="ValueError: " + "x" * 3000)
    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("ValueError") and len(run.error) == 2000
