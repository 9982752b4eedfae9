"""The pipeline on real Celery worker processes (the configured broker: the filesystem one
by default, Redis in CI)."""

from __future__ import annotations

import time
import uuid

import pytest
from rest_framework.test import APIClient

from adminpanel.models import ActivityLog
from champions.models import Champion
from conftest import authenticated_client
from core import events
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
    assert champion.parsed_transcript.segments


def playbook_of(champion_id: int) -> tuple[list, list]:
    """What a run produced, as a clean run of the same recording would: patterns with their
    vectors, and scenarios."""
    champion = Champion.objects.get(pk=champion_id)
    patterns = list(
        champion.patterns.order_by("position").values_list(
            "category", "text", "start", "end", "occurrences", "embedding"
        )
    )
    scenarios = list(champion.scenarios.order_by("position").values_list("title", "difficulty", "objections"))
    return [(*p[:5], bytes(p[5])) for p in patterns], scenarios


def claimed_step(champion_id: int) -> str | None:
    champion = Champion.objects.get(pk=champion_id)
    return champion.step if champion.status == "processing" and champion.step_started_at else None


def test_a_worker_killed_mid_step_is_taken_over_by_the_next_worker_and_loses_nothing(user, short_call, settings):
    """SIGKILL the whole worker (parent and pool) during the transcription step. Its heartbeat
    stops; the next worker, as it connects, sends the step again (no beat, no manual sweep),
    and the champion ends ready with the playbook of a clean run of the same recording."""
    beats = {"CHAMPION_STEP_HEARTBEAT_SECONDS": "0.5", "CHAMPION_STEP_DEAD_AFTER_SECONDS": "2"}
    client = authenticated_client(user)
    with celery_worker(extra_env=beats) as (first, queue):
        settings.CHAMPION_PIPELINE_QUEUE = queue
        killed = upload_and_analyze(client, short_call.mp4)
        wait_for(
            lambda: claimed_step(killed) == "transcribe" or first.poll() is not None,
            timeout=120,
            interval=0.05,
            message="the transcription step to start",
        )
        time.sleep(1.5)  # a few heartbeats into the step
        kill_hard(first)
    assert claimed_step(killed) == "transcribe"
    time.sleep(2.5)  # the heartbeat is now older than CHAMPION_STEP_DEAD_AFTER_SECONDS

    settings.CHAMPION_PIPELINE_QUEUE = f"test-{uuid.uuid4().hex[:10]}"
    with celery_worker(queue=settings.CHAMPION_PIPELINE_QUEUE, extra_env={**beats, **queue_env(settings)}) as (
        second,
        _,
    ):
        clean = upload_and_analyze(client, short_call.mp4)
        wait_for(
            lambda: {status_of(killed)[0], status_of(clean)[0]} <= {"ready", "failed"} or second.poll() is not None,
            timeout=300,
            message="both analyses to end",
        )
    champion = Champion.objects.get(pk=killed)
    assert champion.status == "ready", champion.error
    assert champion.step_attempts == Champion.objects.get(pk=clean).step_attempts + 1  # transcribe ran twice
    assert playbook_of(killed) == playbook_of(clean)
    assert ActivityLog.objects.filter(action=events.CHAMPION_ANALYZED, resource_id=str(killed)).count() == 1


def queue_env(settings) -> dict[str, str]:
    """The worker sends the steps it resumes to its own queue."""
    return {"CHAMPION_PIPELINE_QUEUE": settings.CHAMPION_PIPELINE_QUEUE}
