"""The pipeline's Celery tasks, run eagerly (as every test does, see the root conftest.py) over
the registry's steps with stand-in functions (``scripted_steps``)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from adminpanel.models import ErrorLog
from agents.providers.errors import TransientProviderError
from agents.testing.wire import LocalVendorServer, Reply
from champions.models import Champion
from champions.pipeline import NoSpeechFound, Superseded, steps
from champions.tasks import delete_voice_clone, resume_stalled_analyses, run_pipeline_step, start_analysis
from champions.tests.factories import QueuedChampionFactory

pytestmark = pytest.mark.django_db

ALL_STEPS = [step.name for step in steps.STEPS]


def names_from(name: str) -> list[str]:
    return [step.name for step in steps.steps_from(name)]


def names_through(name: str) -> list[str]:
    return ALL_STEPS[: ALL_STEPS.index(name) + 1]


def run_from(champion: Champion, step: str) -> Champion:
    run_pipeline_step.delay(champion.pk, str(champion.analysis_run), step)
    champion.refresh_from_db()
    return champion


def test_a_step_runs_then_enqueues_the_next_in_registry_order_to_ready(scripted_steps):
    champion = run_from(QueuedChampionFactory(), "decode")
    assert scripted_steps.calls == ALL_STEPS
    assert (champion.status, champion.progress, champion.step) == ("ready", 100, "")


def test_a_step_taken_up_mid_run_runs_the_steps_after_it_only(scripted_steps):
    champion = run_from(QueuedChampionFactory(), "index")
    assert scripted_steps.calls == names_from("index") and "decode" not in scripted_steps.calls
    assert champion.status == "ready"


def test_start_analysis_runs_the_first_step_on(scripted_steps):
    champion = QueuedChampionFactory()
    start_analysis.delay(champion.pk, str(champion.analysis_run))
    assert scripted_steps.calls == ALL_STEPS


def test_each_step_claims_the_run_with_its_progress(scripted_steps):
    seen = []
    for name in ("decode", "transcribe", "finish"):
        scripted_steps.actions[name] = lambda c: seen.append(
            Champion.objects.values_list("status", "step", "progress").get(pk=c.pk)
        )
    champion = run_from(QueuedChampionFactory(), "decode")
    assert seen == [("processing", name, steps.progress_at_start(name)) for name in ("decode", "transcribe", "finish")]
    assert champion.step_attempts == len(ALL_STEPS)


def test_a_transient_error_is_retried_and_the_run_goes_on(scripted_steps, settings):
    settings.CHAMPION_STEP_MAX_RETRIES = 3
    scripted_steps.fail("transcribe", TransientProviderError("overloaded", provider="openai"), times=2)
    champion = run_from(QueuedChampionFactory(), "decode")
    assert scripted_steps.calls.count("transcribe") == 3
    assert champion.status == "ready" and champion.error == ""


def test_transient_errors_past_the_last_retry_fail_the_run_readably(
    scripted_steps, settings, django_capture_on_commit_callbacks
):
    settings.CHAMPION_STEP_MAX_RETRIES = 2
    scripted_steps.fail("transcribe", TransientProviderError("overloaded", provider="openai"))
    with django_capture_on_commit_callbacks(execute=True):  # champion.failed reaches the ErrorLog after commit
        champion = run_from(QueuedChampionFactory(), "decode")
    assert scripted_steps.calls == [*names_through("transcribe"), "transcribe", "transcribe"]
    assert (champion.status, champion.step) == ("failed", "transcribe")
    assert champion.error == "Transcribing failed: openai: overloaded"
    assert ErrorLog.objects.filter(user=champion.owner).count() == 1


def test_a_permanent_error_fails_the_run_at_once_and_stops_it(scripted_steps, django_capture_on_commit_callbacks):
    scripted_steps.fail("patterns", ValueError("the reasoner answered nonsense"))
    with django_capture_on_commit_callbacks(execute=True):
        champion = run_from(QueuedChampionFactory(), "decode")
    assert scripted_steps.calls == names_through("patterns")
    assert (champion.status, champion.step) == ("failed", "patterns")
    assert champion.error == "Extracting sales patterns failed: the reasoner answered nonsense"
    error = ErrorLog.objects.get()
    assert error.user_id == champion.owner_id and "patterns" in error.source


def test_a_recording_without_speech_fails_with_the_reason(scripted_steps):
    scripted_steps.fail("transcribe", NoSpeechFound("too little speech was recognised"))
    champion = run_from(QueuedChampionFactory(), "decode")
    assert scripted_steps.calls == names_through("transcribe")
    assert champion.error == "Transcribing failed: too little speech was recognised"


def test_a_step_past_its_soft_time_limit_fails_as_too_long(scripted_steps):
    scripted_steps.fail("transcribe", SoftTimeLimitExceeded())
    champion = run_from(QueuedChampionFactory(), "decode")
    assert (champion.status, champion.error) == ("failed", "Transcribing failed: the step took too long")


def test_a_step_of_a_superseded_run_writes_nothing_and_stops_quietly(
    scripted_steps, django_capture_on_commit_callbacks
):
    champion = QueuedChampionFactory()
    old_run = str(champion.analysis_run)
    Champion.objects.filter(pk=champion.pk).update(analysis_run=uuid.uuid4())  # re-analysed meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        run_pipeline_step.delay(champion.pk, old_run, "transcribe")
    champion.refresh_from_db()
    assert scripted_steps.calls == []
    assert (champion.status, champion.step, champion.progress, champion.error) == ("queued", "", 0, "")
    assert not ErrorLog.objects.exists()


def test_a_run_superseded_mid_step_stops_before_the_next_step_and_records_no_failure(
    scripted_steps, django_capture_on_commit_callbacks
):
    def reanalysed(champion: Champion) -> None:
        Champion.objects.filter(pk=champion.pk).update(analysis_run=uuid.uuid4())
        raise Superseded("changed run")

    scripted_steps.actions["voice"] = reanalysed
    with django_capture_on_commit_callbacks(execute=True):
        champion = run_from(QueuedChampionFactory(), "decode")
    assert scripted_steps.calls == names_through("voice")
    assert champion.status == "processing" and champion.error == ""
    assert not ErrorLog.objects.exists()


def test_a_champion_deleted_before_its_step_is_a_quiet_stop(scripted_steps):
    champion = QueuedChampionFactory()
    run_id = str(champion.analysis_run)
    champion.delete()
    run_pipeline_step.delay(champion.pk, run_id, "decode")
    assert scripted_steps.calls == []


def test_the_sweeper_resumes_stalled_runs_at_their_step_and_leaves_live_ones(scripted_steps, settings):
    settings.CHAMPION_STEP_STALE_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=5)
    stalled = QueuedChampionFactory(status="processing", step="index", step_started_at=long_ago)
    never_started = QueuedChampionFactory(analysis_started_at=long_ago)
    live = QueuedChampionFactory(status="processing", step="transcribe", step_started_at=timezone.now())

    assert resume_stalled_analyses() == 2

    assert sorted(scripted_steps.calls) == sorted([*names_from("index"), *ALL_STEPS])
    assert Champion.objects.get(pk=stalled.pk).status == "ready"
    assert Champion.objects.get(pk=never_started.pk).status == "ready"
    assert Champion.objects.get(pk=live.pk).status == "processing"


class TestDeleteVoiceClone:
    def test_without_a_speech_vendor_key_nothing_is_called(self, settings):
        settings.ELEVENLABS_API_KEY = ""
        delete_voice_clone.delay("clone-1")  # no vendor to call: logged, not an error

    def test_the_clone_is_deleted_at_the_vendor_after_a_transient_refusal(self, settings):
        with LocalVendorServer() as server:
            server.route(
                "DELETE",
                r"/v1/voices/[\w-]+",
                Reply.json({"detail": "overloaded"}, status=503),
                Reply.json({"status": "ok"}),
            )
            settings.ELEVENLABS_API_KEY, settings.ELEVENLABS_BASE_URL = "xi-test", server.url
            settings.VENDOR_MAX_RETRIES = 0
            delete_voice_clone.delay("clone-1")
            deletes = [r.path for r in server.requests_to(r"/v1/voices/[\w-]+") if r.method == "DELETE"]
        assert deletes == ["/v1/voices/clone-1", "/v1/voices/clone-1"]
