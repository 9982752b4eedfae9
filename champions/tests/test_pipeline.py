"""The pipeline's registry and its one runner; the real steps on a scripted champion. The
steps on real audio run end to end in ``test_api.py`` (eagerly) and
``test_worker_pipeline.py`` (on a real worker)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from adminpanel.models import ErrorLog
from agents.providers.errors import TransientProviderError
from agents.testing.synth import write_silent_wav
from agents.testing.wire import LocalVendorServer, Reply
from champions import pipeline, storage
from champions.models import Champion, ChampionPattern, Scenario
from champions.pipeline import Superseded, runner, steps
from champions.pipeline.failure import analysis_fail, readable_error
from champions.scripted import champion_from_script
from champions.tests.factories import QueuedChampionFactory, ReadyChampionFactory

pytestmark = pytest.mark.django_db


def names_through(name: str) -> list[str]:
    names = [step.name for step in steps.STEPS]
    return names[: names.index(name) + 1]


class TestRegistry:
    def test_the_steps_and_their_progress_at_start_are_the_pipelines(self):
        # The figures users see on the progress bar: a new step moves them, on purpose.
        progress = {step.name: steps.progress_at_start(step.name) for step in steps.STEPS}
        assert progress == {
            "decode": 2,
            "transcribe": 10,
            "voice": 55,
            "patterns": 65,
            "index": 80,
            "scenarios": 90,
            "finish": 97,
        }

    def test_the_bar_starts_after_the_queued_share_and_rises_with_every_step_below_100(self):
        progress = [steps.progress_at_start(step.name) for step in steps.STEPS]
        assert progress[0] == steps.PROGRESS_QUEUED
        assert progress == sorted(set(progress)) and progress[-1] < 100

    def test_names_are_unique_and_fit_the_champions_step_column(self):
        names = [step.name for step in steps.STEPS]
        assert len(set(names)) == len(names)
        assert max(map(len, names)) <= Champion._meta.get_field("step").max_length

    def test_the_champions_step_choices_are_the_registry(self):
        choices = list(Champion._meta.get_field("step").choices)
        assert choices == [(step.name, step.label) for step in steps.STEPS]

    def test_each_step_leads_to_the_next_and_the_last_to_none(self):
        chain, step = [], steps.step_named(steps.FIRST_STEP)
        while step is not None:
            chain.append(step.name)
            step = steps.step_after(step.name)
        assert chain == [step.name for step in steps.STEPS]
        assert steps.steps_from(chain[-2]) == steps.STEPS[-2:]

    def test_an_unknown_name_is_no_step(self):
        with pytest.raises(KeyError):
            steps.step_named("upload")
        assert steps.step_label("upload") == "upload"

    def test_the_error_of_a_failed_step_starts_with_its_label(self):
        assert readable_error("voice", ValueError("no audio")) == "Voice profile and call metrics failed: no audio"
        assert readable_error("decode", RuntimeError()) == "Decoding audio failed: RuntimeError"


class TestRunner:
    def test_a_run_goes_through_every_step_in_order_and_tells_each_as_it_starts(self, scripted_steps):
        champion = QueuedChampionFactory()
        started = []
        assert runner.analysis_run(champion.pk, str(champion.analysis_run), on_step=lambda s: started.append(s.name))
        assert started == scripted_steps.calls == [step.name for step in steps.STEPS]
        champion.refresh_from_db()
        assert champion.status == "ready"

    def test_a_failing_step_stops_the_run_and_is_recorded(self, scripted_steps, django_capture_on_commit_callbacks):
        champion = QueuedChampionFactory()
        scripted_steps.fail("voice", ValueError("no samples"))
        with django_capture_on_commit_callbacks(execute=True):
            assert not runner.analysis_run(champion.pk, str(champion.analysis_run))
        assert scripted_steps.calls == names_through("voice")
        champion.refresh_from_db()
        assert (champion.status, champion.step, champion.error) == (
            "failed",
            "voice",
            "Voice profile and call metrics failed: no samples",
        )
        assert ErrorLog.objects.filter(user=champion.owner).count() == 1

    def test_a_transient_error_without_a_retry_fails_the_run(self, scripted_steps):
        champion = QueuedChampionFactory()
        scripted_steps.fail("transcribe", TransientProviderError("busy"))
        assert not runner.analysis_run(champion.pk, str(champion.analysis_run))
        assert scripted_steps.calls.count("transcribe") == 1
        assert Champion.objects.get(pk=champion.pk).error == "Transcribing failed: busy"

    def test_a_superseded_run_stops_without_a_failure(self, scripted_steps):
        champion = QueuedChampionFactory()
        scripted_steps.fail("transcribe", Superseded("re-analysed"))
        assert not runner.analysis_run(champion.pk, str(champion.analysis_run))
        champion.refresh_from_db()
        assert scripted_steps.calls == names_through("transcribe")
        assert champion.status == "processing" and champion.error == ""

    def test_a_step_is_claimed_only_by_its_own_busy_run(self):
        champion = QueuedChampionFactory()
        claimed = runner.step_begin(champion.pk, str(champion.analysis_run), "patterns")
        assert (claimed.status, claimed.step, claimed.progress, claimed.step_attempts) == (
            "processing",
            "patterns",
            steps.progress_at_start("patterns"),
            1,
        )
        with pytest.raises(Superseded):
            runner.step_begin(champion.pk, str(uuid.uuid4()), "patterns")
        ready = ReadyChampionFactory(analysis_run=uuid.uuid4())
        with pytest.raises(Superseded):
            runner.step_begin(ready.pk, str(ready.analysis_run), "finish")

    def test_the_failure_of_a_superseded_run_is_not_recorded(self):
        champion = QueuedChampionFactory()
        assert not analysis_fail(champion.pk, str(uuid.uuid4()), "decode", ValueError("late"))
        champion.refresh_from_db()
        assert champion.status == "queued" and champion.error == ""

    def test_a_stalled_run_is_claimed_by_one_sweep_only(self, settings):
        settings.CHAMPION_STEP_STALE_SECONDS = 60
        stalled = QueuedChampionFactory(
            status="processing", step="voice", step_started_at=timezone.now() - timedelta(minutes=5)
        )
        assert list(runner.analyses_stalled_claim()) == [(stalled.pk, str(stalled.analysis_run), "voice")]
        assert list(runner.analyses_stalled_claim()) == []


class TestStepsOnAScriptedChampion:
    """The real pattern, index, scenario and finish steps on a transcript built from a script."""

    def test_the_steps_make_a_ready_champion_with_embedded_patterns_and_scenarios(self, user):
        champion = champion_from_script(user)
        assert champion.status == "ready" and champion.progress == 100
        patterns = ChampionPattern.objects.filter(champion=champion)
        assert patterns.exists() and not patterns.filter(embedding__isnull=True).exists()
        assert Scenario.objects.filter(champion=champion).exists()
        assert champion.reasoning_engine == "offline" and champion.tone

    def test_running_the_steps_again_replaces_their_results(self, user):
        champion = champion_from_script(user)
        before = (champion.patterns.count(), champion.scenarios.count())
        run_id = uuid.uuid4()
        Champion.objects.filter(pk=champion.pk).update(status="queued", analysis_run=run_id)
        assert runner.analysis_run(champion.pk, str(run_id), from_step="patterns")
        assert (champion.patterns.count(), champion.scenarios.count()) == before


class TestTranscribeStep:
    def test_the_champions_context_is_the_transcribers_prompt(self, settings):
        """With an OpenAI key (a local server speaking its protocol), the transcribe step sends
        the upload's context as Whisper's prompt and stores what came back."""
        champion = QueuedChampionFactory(context="Carlos from RouteWise calls Priya.", duration_seconds=4.0)
        champion.audio_file = storage.audio_name_for(champion.pk, champion.owner_id)
        storage.media_path(champion.audio_file).parent.mkdir(parents=True, exist_ok=True)
        write_silent_wav(storage.media_path(champion.audio_file), seconds=4.0)
        words = ["Carlos", "from", "RouteWise", "here,", "good", "morning", "Priya"]
        body = {
            "language": "english",
            "duration": 4.0,
            "text": " ".join(words),
            "words": [{"word": word, "start": 0.4 * i, "end": 0.4 * i + 0.3} for i, word in enumerate(words)],
            "segments": [{"id": 0, "start": 0.0, "end": 3.0, "text": " ".join(words)}],
        }
        with LocalVendorServer() as server:
            server.route("POST", r"/v1/audio/transcriptions", Reply.json(body))
            settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "sk-test", f"{server.url}/v1"
            pipeline.transcribe(champion)
            (request,) = server.requests

        assert request.form["prompt"] == ["Carlos from RouteWise calls Priya."]
        stored = Champion.objects.get(pk=champion.pk)
        assert stored.parsed_transcript.text == " ".join(words) and stored.transcription_engine == "openai"
