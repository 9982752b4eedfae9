"""A running step's heartbeat, the claim of a step by one attempt at a time, and the sweep that
sends again the steps whose worker died (README.md, "Faults": a pipeline worker killed)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from adminpanel.models import ErrorLog
from agents.types import Transcript
from champions.models import Champion, ChampionTranscript
from champions.pipeline import Superseded, runner
from champions.pipeline.failure import analysis_fail
from champions.pipeline.runs import save_if_current
from champions.tasks import analyses_resume, run_pipeline_step
from champions.tests.factories import QueuedChampionFactory
from core import events

DEAD_AFTER = 45


@pytest.fixture(autouse=True)
def heartbeat_settings(settings):
    settings.CHAMPION_STEP_HEARTBEAT_SECONDS = 10
    settings.CHAMPION_STEP_DEAD_AFTER_SECONDS = DEAD_AFTER
    settings.CHAMPION_STEP_STALE_SECONDS = 900


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def running(step: str, *, heartbeat_seconds_ago: float, started_seconds_ago: float = 3600) -> Champion:
    return QueuedChampionFactory(
        status="processing",
        step=step,
        step_attempts=3,
        step_started_at=ago(started_seconds_ago),
        step_heartbeat_at=ago(heartbeat_seconds_ago),
    )


@pytest.mark.django_db
class TestOneAttemptAtATime:
    def test_a_duplicate_message_of_a_running_step_claims_nothing(self):
        champion = QueuedChampionFactory()
        first = runner.step_begin(champion.pk, str(champion.analysis_run), "decode")
        assert (first.step, first.step_attempts, first.step_heartbeat_at is not None) == ("decode", 1, True)
        with pytest.raises(Superseded):
            runner.step_begin(champion.pk, str(champion.analysis_run), "decode")
        assert Champion.objects.get(pk=champion.pk).step_attempts == 1

    def test_a_step_whose_heartbeat_stopped_is_taken_over_and_its_old_attempt_cannot_write(self):
        champion = running("transcribe", heartbeat_seconds_ago=DEAD_AFTER + 5)
        old_attempt = Champion.objects.get(pk=champion.pk)
        new_attempt = runner.step_begin(champion.pk, str(champion.analysis_run), "transcribe")
        assert new_attempt.step_attempts == old_attempt.step_attempts + 1

        old_attempt.transcription_engine = "written by the attempt taken for dead"
        late = Transcript(text="written by the attempt taken for dead", language="en", duration=1.0)
        with pytest.raises(Superseded):
            save_if_current(old_attempt, ["transcription_engine"], transcript=late)
        assert not analysis_fail(
            champion.pk, str(champion.analysis_run), "transcribe", ValueError("late"), attempt=old_attempt.step_attempts
        )
        assert Champion.objects.values_list("status", "transcription_engine").get(pk=champion.pk) == ("processing", "")
        assert not ChampionTranscript.objects.filter(champion_id=champion.pk).exists()

    def test_a_step_with_a_recent_heartbeat_is_not_taken_over(self):
        champion = running("transcribe", heartbeat_seconds_ago=DEAD_AFTER - 10)
        with pytest.raises(Superseded):
            runner.step_begin(champion.pk, str(champion.analysis_run), "transcribe")

    def test_a_late_duplicate_of_a_done_step_claims_nothing(self, scripted_steps):
        champion = QueuedChampionFactory()
        assert runner.step_execute(champion.pk, str(champion.analysis_run), "decode")
        champion.refresh_from_db()
        # The run moved on: the next step waits in the queue, no attempt holds it.
        assert (champion.step, champion.step_started_at, champion.step_attempts) == ("transcribe", None, 1)
        assert not runner.step_execute(champion.pk, str(champion.analysis_run), "decode")
        assert scripted_steps.calls == ["decode"]

    def test_the_run_ends_once_with_one_analyzed_event_whatever_the_duplicates(
        self, scripted_steps, django_capture_on_commit_callbacks, monkeypatch
    ):
        published = []
        monkeypatch.setattr(events, "dispatch", published.append)
        champion = QueuedChampionFactory()
        with django_capture_on_commit_callbacks(execute=True):
            run_pipeline_step.delay(champion.pk, str(champion.analysis_run), "decode")
            for step in ("decode", "scenarios", "finish"):  # redelivered or sent again by a sweep
                run_pipeline_step.delay(champion.pk, str(champion.analysis_run), step)
        assert Champion.objects.get(pk=champion.pk).status == "ready"
        assert [event.type for event in published] == [events.CHAMPION_ANALYZED]
        assert scripted_steps.calls.count("finish") == 1


@pytest.mark.django_db
class TestSweep:
    def test_it_sends_again_the_steps_whose_worker_died_and_the_long_waiting_ones_only(self):
        dead = running("patterns", heartbeat_seconds_ago=DEAD_AFTER + 1)
        running("transcribe", heartbeat_seconds_ago=2)  # an hour into its step, alive
        lost = QueuedChampionFactory(status="processing", step="index", step_heartbeat_at=ago(1000))
        QueuedChampionFactory(status="processing", step="voice", step_heartbeat_at=ago(60))  # waiting a minute
        never_started = QueuedChampionFactory(analysis_started_at=ago(1000))

        claimed = sorted(runner.analyses_stalled_claim())
        assert claimed == sorted(
            [
                (dead.pk, str(dead.analysis_run), "patterns"),
                (lost.pk, str(lost.analysis_run), "index"),
                (never_started.pk, str(never_started.analysis_run), "decode"),
            ]
        )
        assert list(runner.analyses_stalled_claim()) == []  # one sweep alone sends each
        # Sent again, the dead step waits for a worker (not taken for dead again meanwhile).
        assert Champion.objects.values_list("step_started_at", flat=True).get(pk=dead.pk) is None

    def test_a_worker_that_connects_sends_every_waiting_step_again(self):
        waiting = QueuedChampionFactory(status="processing", step="voice", step_heartbeat_at=ago(5))
        running("transcribe", heartbeat_seconds_ago=2)
        assert list(runner.analyses_stalled_claim()) == []
        assert list(runner.analyses_stalled_claim(every_waiting=True)) == [
            (waiting.pk, str(waiting.analysis_run), "voice")
        ]

    def test_the_resumed_step_runs_and_the_run_ends_ready(self, scripted_steps):
        dead = running("scenarios", heartbeat_seconds_ago=DEAD_AFTER + 1)
        assert analyses_resume() == 1
        assert scripted_steps.calls == ["scenarios", "finish"]
        assert Champion.objects.get(pk=dead.pk).status == "ready"
        assert not ErrorLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_long_live_step_beats_and_is_never_taken_for_dead(scripted_steps, settings):
    """The step runs for three times the dead-after limit in this process; its heartbeat
    thread keeps it alive for the sweep, and a duplicate message cannot take it over."""
    settings.CHAMPION_STEP_HEARTBEAT_SECONDS = 0.1
    settings.CHAMPION_STEP_DEAD_AFTER_SECONDS = 0.5
    seen: dict[str, object] = {}

    def long_step(champion: Champion) -> None:
        started = Champion.objects.values_list("step_heartbeat_at", flat=True).get(pk=champion.pk)
        time.sleep(1.5)
        seen["swept"] = list(runner.analyses_stalled_claim())
        seen["beat"] = Champion.objects.values_list("step_heartbeat_at", flat=True).get(pk=champion.pk) > started
        seen["duplicate"] = runner.step_execute(champion.pk, str(champion.analysis_run), "patterns")

    scripted_steps.actions["patterns"] = long_step
    champion = QueuedChampionFactory(analysis_run=uuid.uuid4())
    assert runner.analysis_run(champion.pk, str(champion.analysis_run), from_step="patterns")
    assert seen == {"swept": [], "beat": True, "duplicate": False}
    assert scripted_steps.calls.count("patterns") == 1
    assert Champion.objects.get(pk=champion.pk).status == "ready"
