"""The pipeline on real Celery worker processes (the configured broker: the filesystem one
by default, Redis in CI)."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from champions.models import Champion
from champions.tasks import resume_stalled_analyses
from conftest import authenticated_client
from core.testing.worker import celery_worker, kill_hard, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def upload_and_analyze(client: APIClient, mp4) -> int:
    with open(mp4, "rb") as handle:
        champion_id = client.post("/upload", {"file": handle}, format="multipart").json()["id"]
    assert client.post(f"/analyze/{champion_id}").status_code == 202
    return champion_id


def status_of(champion_id: int) -> tuple[str, str]:
    champion = Champion.objects.get(pk=champion_id)
    return champion.status, champion.step


def test_upload_analyze_ready_through_a_real_worker(user, short_call, settings):
    with celery_worker() as (process, queue):
        settings.CHAMPION_PIPELINE_QUEUE = queue
        champion_id = upload_and_analyze(authenticated_client(user), short_call.mp4)
        wait_for(
            lambda: status_of(champion_id)[0] in ("ready", "failed") or process.poll() is not None,
            timeout=240,
            message="the analysis to end",
        )
    champion = Champion.objects.get(pk=champion_id)
    assert champion.status == "ready", champion.error
    assert champion.patterns.exists() and champion.scenarios.exists()
    assert champion.transcript["segments"]


def test_a_worker_killed_mid_step_loses_nothing(user, short_call, settings):
    """SIGKILL the whole worker (parent and pool) during the transcription step; the beat
    sweeper re-enqueues the lost step and a new worker takes the champion to ready."""
    with celery_worker() as (first, queue):
        settings.CHAMPION_PIPELINE_QUEUE = queue
        champion_id = upload_and_analyze(authenticated_client(user), short_call.mp4)
        wait_for(
            lambda: status_of(champion_id) == ("processing", "transcribe") or first.poll() is not None,
            timeout=120,
            interval=0.05,
            message="the transcription step to start",
        )
        kill_hard(first)
    assert status_of(champion_id) == ("processing", "transcribe")

    settings.CHAMPION_STEP_STALE_SECONDS = 1
    time.sleep(1.5)
    with celery_worker() as (second, second_queue):
        settings.CHAMPION_PIPELINE_QUEUE = second_queue
        assert resume_stalled_analyses() == 1  # what beat runs every five minutes
        wait_for(
            lambda: status_of(champion_id)[0] in ("ready", "failed") or second.poll() is not None,
            timeout=240,
            message="the resumed analysis to end",
        )
    champion = Champion.objects.get(pk=champion_id)
    assert champion.status == "ready", champion.error
    assert champion.step_attempts >= 2  # the transcription ran again
