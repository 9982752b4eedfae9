from __future__ import annotations

import io
import wave
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from adminpanel.models import AdminAlert, ErrorLog
from agents.audio.decode import write_wav
from agents.testing.synth import write_silent_wav
from agents.testing.wire import LocalVendorServer, Reply
from champions import pipeline
from champions.models import Champion, ChampionPattern, Scenario
from champions.tests.factories import ChampionFactory, PatternFactory, ReadyChampionFactory, ScenarioFactory
from champions.vector_index import get_vector_index
from conftest import authenticated_client

pytestmark = pytest.mark.django_db


def upload(client, path: Path | None = None, *, content: bytes | None = None, name: str = "call.mp4", **extra):
    data = content if content is not None else Path(path).read_bytes()
    return client.post("/upload", {"file": SimpleUploadedFile(name, data), **extra}, format="multipart")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_stored():
    assert not Champion.objects.exists()
    assert media_files() == []


class TestUpload:
    def test_upload_stores_a_private_file_under_a_server_made_name(
        self, api_client, user, short_call, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(api_client, short_call.mp4, name="../../etc/passwd.mp4", name_field="x")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "uploaded" and body["progress"] == 0
        champion = Champion.objects.get(pk=body["id"])
        assert champion.owner_id == user.pk
        assert champion.original_filename == "passwd.mp4"
        assert champion.has_video and abs(champion.duration_seconds - short_call.call.duration) < 0.5
        stored = Path(settings.MEDIA_ROOT) / champion.recording
        assert stored.read_bytes() == short_call.mp4.read_bytes()
        assert stored.name != "passwd.mp4" and stored.suffix == ".mp4"
        assert champion.recording.startswith(f"recordings/{user.pk}/")
        user.refresh_from_db()
        assert user.journey_stage == "first_champion"

    def test_name_defaults_to_the_file_name_and_can_be_given(self, api_client, short_call):
        assert upload(api_client, short_call.mp4, name="Maya best call.mp4").json()["name"] == "Maya best call"
        assert upload(api_client, short_call.mp4, name="a.mp4", name_form="").status_code == 201

    def test_audio_only_wav_is_accepted(self, api_client, short_call):
        response = upload(api_client, Path(short_call.call.wav_path), name="call.wav")
        assert response.status_code == 201
        assert Champion.objects.get().has_video is False

    def test_text_file_renamed_mp4_is_400_and_nothing_is_stored(self, api_client):
        response = upload(api_client, content=b"this is not a video at all\n" * 100, name="fake.mp4")
        assert response.status_code == 400
        detail = response.json()["detail"]
        assert "fake.mp4" in detail and "Invalid data" in detail
        assert "/tmp" not in detail and "upload" not in detail  # no server path or temporary name
        assert_nothing_stored()

    def test_empty_file_is_400(self, api_client):
        response = upload(api_client, content=b"", name="empty.mp4")
        assert response.status_code == 400
        assert "empty" in response.json()["detail"]
        assert_nothing_stored()

    def test_video_without_audio_track_is_400(self, api_client, silent_video):
        response = upload(api_client, silent_video, name="screen.mp4")
        assert response.status_code == 400
        assert "audio" in response.json()["detail"]
        assert_nothing_stored()

    def test_oversize_file_is_413(self, api_client, short_call, settings):
        settings.CHAMPION_UPLOAD_MAX_BYTES = 10_000
        response = upload(api_client, short_call.mp4)
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert_nothing_stored()

    def test_recording_longer_than_the_limit_is_400(self, api_client, short_call, settings):
        settings.CHAMPION_MAX_DURATION_SECONDS = 5
        response = upload(api_client, short_call.mp4)
        assert response.status_code == 400
        assert "limit" in response.json()["detail"]
        assert_nothing_stored()

    def test_recording_shorter_than_a_call_is_400(self, api_client, tmp_path):
        response = upload(api_client, Path(write_silent_wav(tmp_path / "blip.wav", seconds=2.0)), name="blip.wav")
        assert response.status_code == 400
        assert "at least 5 s" in response.json()["fields"]["file"][0]
        assert_nothing_stored()

    def test_missing_file_field_is_400(self, api_client):
        response = api_client.post("/upload", {"name": "no file"}, format="multipart")
        assert response.status_code == 400
        assert "file" in response.json()["fields"]

    def test_eleventh_upload_in_an_hour_is_429(self, api_client, short_call):
        for _ in range(10):
            assert upload(api_client, Path(short_call.call.wav_path), name="c.wav").status_code == 201
        response = upload(api_client, Path(short_call.call.wav_path), name="c.wav")
        assert response.status_code == 429 and int(response["Retry-After"]) > 0


class TestAnalyze:
    def test_analyze_is_202_and_enqueues_the_pipeline_after_commit(
        self, api_client, user, monkeypatch, django_capture_on_commit_callbacks
    ):
        champion = ChampionFactory(owner=user)
        started = []
        monkeypatch.setattr("champions.tasks.analysis_pipeline_start", lambda cid, run: started.append((cid, run)))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = api_client.post(f"/analyze/{champion.pk}")
        assert response.status_code == 202
        assert response.json()["status"] == "queued"
        assert started == []  # nothing before commit
        for callback in callbacks:
            callback()
        champion.refresh_from_db()
        assert started == [(champion.pk, str(champion.analysis_run))]

    def test_analyze_twice_in_a_row_is_409_and_changes_nothing(self, api_client, user, monkeypatch):
        monkeypatch.setattr("champions.tasks.analysis_pipeline_start", lambda cid, run: None)
        champion = ChampionFactory(owner=user)
        assert api_client.post(f"/analyze/{champion.pk}/").status_code == 202
        champion.refresh_from_db()
        run = champion.analysis_run
        response = api_client.post(f"/analyze/{champion.pk}")
        assert response.status_code == 409
        champion.refresh_from_db()
        assert champion.analysis_run == run and champion.status == "queued"

    def test_analyze_another_users_champion_is_404(self, api_client):
        champion = ChampionFactory()
        assert api_client.post(f"/analyze/{champion.pk}").status_code == 404
        champion.refresh_from_db()
        assert champion.status == "uploaded"

    def test_analyze_unknown_id_is_404(self, api_client):
        assert api_client.post("/analyze/999999").status_code == 404


class TestReadAndDelete:
    def test_list_is_own_champions_only_with_a_constant_query_count(self, user, django_assert_num_queries):
        client = authenticated_client(user)
        ChampionFactory.create_batch(2, owner=user)
        ChampionFactory()  # someone else's
        # One page holds them all: its length is the count, no COUNT query.
        # The caller's teams are subqueries of the page's query (compiled once per connection).
        with django_assert_num_queries(2):  # user, page with annotated counts
            response = client.get("/champions")
        assert response.json()["count"] == 2
        ReadyChampionFactory.create_batch(18, owner=user)
        with django_assert_num_queries(2):
            response = client.get("/champions/")
        assert response.json()["count"] == 20 and response.json()["next"] is None
        ReadyChampionFactory.create_batch(5, owner=user)
        with django_assert_num_queries(3):  # user, page, count
            response = client.get("/champions")
        assert (response.json()["count"], len(response.json()["results"])) == (25, 20)

    def test_list_pages_are_newest_first_and_never_repeat_a_champion(self, api_client, user):
        champions = ChampionFactory.create_batch(25, owner=user)
        # One shared timestamp for half of them: the id must break the tie, or a champion
        # could appear on both pages (or on neither).
        now = timezone.now()
        for offset, champion in enumerate(champions):
            created = now - timedelta(minutes=offset if offset % 2 else 0)
            Champion.objects.filter(pk=champion.pk).update(created_at=created)
        expected = list(Champion.objects.filter(owner=user).order_by("-created_at", "-id").values_list("id", flat=True))

        first = api_client.get("/champions").json()
        second = api_client.get("/champions?page=2").json()

        listed = [item["id"] for item in first["results"] + second["results"]]
        assert (len(first["results"]), len(second["results"])) == (20, 5)
        assert listed == expected

    def test_detail_shows_results_with_a_pinned_query_count(self, api_client, user, django_assert_num_queries):
        champion = ReadyChampionFactory(owner=user)
        PatternFactory.create_batch(5, champion=champion)
        ScenarioFactory.create_batch(3, champion=champion)
        with django_assert_num_queries(4):  # user, champion, patterns, scenarios (a personal one: no team read)
            response = api_client.get(f"/champions/{champion.pk}")
        body = response.json()
        assert len(body["patterns"]) == 5 and len(body["scenarios"]) == 3
        assert {"start", "end", "category", "text"} <= set(body["patterns"][0])

    def test_detail_warns_when_most_of_the_call_was_not_transcribed(self, api_client, user):
        partial = ReadyChampionFactory(owner=user, call_metrics={"transcribed_share": 0.3})
        clear = ReadyChampionFactory(owner=user, call_metrics={"transcribed_share": 0.95})

        (warning,) = api_client.get(f"/champions/{partial.pk}").json()["warnings"]

        assert warning.startswith("Only 30% of what is heard in the recording was transcribed")
        assert api_client.get(f"/champions/{clear.pk}").json()["warnings"] == []

    def test_detail_of_another_users_champion_is_404(self, api_client, django_assert_num_queries):
        someone_elses = ChampionFactory()
        with django_assert_num_queries(2):  # user, the champion (someone else's: no more)
            response = api_client.get(f"/champions/{someone_elses.pk}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        with django_assert_num_queries(2):  # user, no champion
            missing = api_client.get("/champions/999999999")
        assert (missing.status_code, missing.json()) == (404, response.json())

    def test_scenarios_are_409_until_ready(self, api_client, user):
        champion = ChampionFactory(owner=user)
        assert api_client.get(f"/scenarios/{champion.pk}").status_code == 409
        ready = ReadyChampionFactory(owner=user)
        ScenarioFactory.create_batch(2, champion=ready)
        response = api_client.get(f"/scenarios/{ready.pk}")
        assert response.status_code == 200 and len(response.json()) == 2

    def test_delete_another_users_champion_is_404_and_keeps_it(self, api_client):
        champion = ChampionFactory()
        assert api_client.delete(f"/champions/{champion.pk}").status_code == 404
        assert Champion.objects.filter(pk=champion.pk).exists()


class TestRouting:
    """The router serves the seed's paths: the root actions at the root, not under /champions."""

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("post", "/champions/{id}/analyze"),
            ("get", "/champions/{id}/scenarios"),
            ("post", "/champions/upload"),
            ("get", "/champions/{id}x"),
            ("get", "/scenarios/{id}x"),
        ],
    )
    def test_no_other_path_reaches_a_champion(self, api_client, user, method, path):
        champion = ReadyChampionFactory(owner=user)
        response = getattr(api_client, method)(path.format(id=champion.pk))
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    @pytest.mark.parametrize("path", ["/scenarios/{id}", "/scenarios/{id}/", "/champions/{id}", "/champions/{id}/"])
    def test_with_or_without_a_trailing_slash(self, api_client, user, path):
        champion = ReadyChampionFactory(owner=user)
        assert api_client.get(path.format(id=champion.pk)).status_code == 200

    def test_reverse_names_exist(self, user):
        champion = ReadyChampionFactory(owner=user)
        assert reverse("champion-list").rstrip("/") == "/champions"
        assert reverse("champion-upload").rstrip("/") == "/upload"
        assert reverse("champion-analyze", args=[champion.pk]).rstrip("/") == f"/analyze/{champion.pk}"
        assert reverse("champion-scenarios", args=[champion.pk]).rstrip("/") == f"/scenarios/{champion.pk}"


class TestPipelineEndToEnd:
    """The real offline pipeline on a synthesized two-voice call, run eagerly after commit."""

    def test_upload_analyze_ready_then_reanalyze_and_delete(
        self, user, short_call, eager_celery, django_capture_on_commit_callbacks
    ):
        client = authenticated_client(user)
        with django_capture_on_commit_callbacks(execute=True):
            champion_id = upload(client, short_call.mp4).json()["id"]
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/analyze/{champion_id}").status_code == 202
        detail = client.get(f"/champions/{champion_id}").json()
        assert detail["status"] == "ready", detail["error"]
        assert detail["progress"] == 100
        segments = client.get(f"/champions/{champion_id}/transcript?limit=200").json()["results"]
        assert segments and segments[0]["words"]
        assert {"champion", "other"} <= {s["speaker"] for s in segments}
        assert detail["call_metrics"]["words_per_minute"] > 60
        assert detail["call_metrics"]["transcribed_share"] > 0.85 and detail["warnings"] == []
        assert detail["voice_profile"]["pitch_median_hz"] > 50
        categories = {p["category"] for p in detail["patterns"]}
        assert {"opener", "discovery_question", "objection"} <= categories
        assert all(0 <= p["start"] < p["end"] <= short_call.call.duration + 1 for p in detail["patterns"])
        assert detail["scenarios"] and detail["scenarios"][0]["objections"]
        patterns_before = ChampionPattern.objects.filter(champion_id=champion_id).count()
        index = get_vector_index()
        assert index.count(champion_id) == patterns_before

        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/analyze/{champion_id}").status_code == 202
        assert Champion.objects.get(pk=champion_id).status == "ready"
        assert ChampionPattern.objects.filter(champion_id=champion_id).count() == patterns_before
        assert Scenario.objects.filter(champion_id=champion_id).count() == len(detail["scenarios"])

        champion = Champion.objects.get(pk=champion_id)
        files = [Path(settings.MEDIA_ROOT) / champion.recording, Path(settings.MEDIA_ROOT) / champion.audio_file]
        assert all(f.exists() for f in files)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.delete(f"/champions/{champion_id}").status_code == 204
        assert not any(f.exists() for f in files)
        assert not ChampionPattern.objects.filter(champion_id=champion_id).exists()
        assert index.count(champion_id) == 0

    @pytest.mark.parametrize("deleted_during", ["decode_audio", "index_items_for"])
    def test_a_champion_deleted_while_it_is_analysed_leaves_no_file_and_no_vector(
        self, user, short_call, eager_celery, django_capture_on_commit_callbacks, monkeypatch, deleted_during
    ):
        client = authenticated_client(user)
        with django_capture_on_commit_callbacks(execute=True):
            champion_id = upload(client, Path(short_call.call.wav_path), name="c.wav").json()["id"]
        real = getattr(pipeline, deleted_during)

        def then_the_rep_deletes_it(*args, **kwargs):
            result = real(*args, **kwargs)
            assert client.delete(f"/champions/{champion_id}").status_code == 204
            return result

        monkeypatch.setattr(pipeline, deleted_during, then_the_rep_deletes_it)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/analyze/{champion_id}").status_code == 202

        assert_nothing_stored()
        assert get_vector_index().count(champion_id) == 0

    def test_a_failing_step_marks_the_champion_failed_with_an_error_log(
        self, user, short_call, eager_celery, django_capture_on_commit_callbacks
    ):
        client = authenticated_client(user)
        with django_capture_on_commit_callbacks(execute=True):
            champion_id = upload(client, Path(short_call.call.wav_path), name="c.wav").json()["id"]
        champion = Champion.objects.get(pk=champion_id)
        (Path(settings.MEDIA_ROOT) / champion.recording).write_bytes(b"corrupted on disk")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/analyze/{champion_id}")
        detail = client.get(f"/champions/{champion_id}").json()
        assert detail["status"] == "failed"
        assert detail["step"] == "decode"
        assert detail["error"].startswith("Decoding audio failed:")
        error = ErrorLog.objects.get()
        assert error.user_id == user.pk and "decode" in error.source
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/analyze/{champion_id}").status_code == 202  # a failed one can be re-run


class TestRecordingsWithoutACall:
    @pytest.mark.parametrize("kind", ["silence", "noise"])
    def test_a_recording_without_speech_fails_with_the_reason_instead_of_an_empty_playbook(
        self, user, eager_celery, django_capture_on_commit_callbacks, tmp_path, kind
    ):
        seconds = 30
        if kind == "silence":
            wav = write_silent_wav(tmp_path / "silence.wav", seconds=seconds)
        else:
            noise = np.random.default_rng(7).normal(0, 0.01, seconds * 16_000).astype(np.float32)
            wav = write_wav(tmp_path / "noise.wav", noise, 16_000)
        client = authenticated_client(user)
        with django_capture_on_commit_callbacks(execute=True):
            champion_id = upload(client, Path(wav), name=f"{kind}.wav").json()["id"]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/analyze/{champion_id}")

        detail = client.get(f"/champions/{champion_id}").json()
        assert (detail["status"], detail["step"]) == ("failed", "transcribe")
        assert detail["error"].startswith("Transcribing failed: too little speech was recognised")
        assert not ChampionPattern.objects.filter(champion_id=champion_id).exists()


class TestVendorFailures:
    def test_transient_vendor_errors_are_retried_then_fail_readably(
        self, user, short_call, eager_celery, settings, django_capture_on_commit_callbacks
    ):
        """OpenAI answering 500 every time (a local server speaking its protocol): the step is
        retried CHAMPION_STEP_MAX_RETRIES times, then the champion is failed with the reason."""

        with LocalVendorServer() as server:
            server.route(
                "POST", r"/v1/audio/transcriptions", Reply.json({"error": {"message": "overloaded"}}, status=500)
            )
            settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "sk-test", f"{server.url}/v1"
            settings.VENDOR_MAX_RETRIES, settings.CHAMPION_STEP_MAX_RETRIES = 0, 2
            client = authenticated_client(user)
            with django_capture_on_commit_callbacks(execute=True):
                champion_id = upload(client, Path(short_call.call.wav_path), name="c.wav").json()["id"]
            with django_capture_on_commit_callbacks(execute=True):
                client.post(f"/analyze/{champion_id}")
            attempts = len(server.requests_to(r"/v1/audio/transcriptions"))
        champion = Champion.objects.get(pk=champion_id)
        assert champion.status == "failed" and champion.step == "transcribe"
        assert champion.error.startswith("Transcribing failed:")
        assert attempts == 3  # the first try and two retries
        assert ErrorLog.objects.filter(user=user).count() == 1


class TestVoiceClone:
    """With an ElevenLabs key (a local server speaking its protocol), the analysis clones the
    champion's voice from their own turns; re-analysis and delete remove the old clone."""

    @pytest.fixture
    def elevenlabs(self, settings):
        with LocalVendorServer() as server:
            server.route("DELETE", r"/v1/voices/[\w-]+", Reply.json({"status": "ok"}))
            settings.ELEVENLABS_API_KEY, settings.ELEVENLABS_BASE_URL = "xi-test", server.url
            settings.VENDOR_MAX_RETRIES = 0
            yield server

    def analyze(self, client, champion_id: int, capture) -> dict:
        with capture(execute=True):
            assert client.post(f"/analyze/{champion_id}").status_code == 202
        return client.get(f"/champions/{champion_id}").json()

    def test_the_clone_is_made_from_the_champions_turns_replaced_on_rerun_and_deleted_with_the_champion(
        self, user, short_call, eager_celery, elevenlabs, django_capture_on_commit_callbacks
    ):
        elevenlabs.route(
            "POST",
            r"/v1/voices/add",
            Reply.json({"voice_id": "clone-1", "requires_verification": False}),
            Reply.json({"voice_id": "clone-2", "requires_verification": False}),
        )
        client = authenticated_client(user)
        with django_capture_on_commit_callbacks(execute=True):
            champion_id = upload(client, Path(short_call.call.wav_path), name="c.wav").json()["id"]

        assert self.analyze(client, champion_id, django_capture_on_commit_callbacks)["status"] == "ready"
        assert Champion.objects.get(pk=champion_id).voice_clone_id == "clone-1"
        (clone_request,) = elevenlabs.requests_to(r"/v1/voices/add")
        (sample,) = clone_request.files["files"]
        with wave.open(io.BytesIO(sample.content)) as wav:
            sample_seconds = wav.getnframes() / wav.getframerate()
        champion_seconds = sum(turn.end - turn.start for turn in short_call.call.turns if turn.speaker == "champion")
        # The champion's turns (give or take the edges of each stretch), not the whole call.
        assert sample_seconds == pytest.approx(champion_seconds, rel=0.25)
        assert sample_seconds < 0.8 * short_call.call.duration

        assert self.analyze(client, champion_id, django_capture_on_commit_callbacks)["status"] == "ready"
        assert Champion.objects.get(pk=champion_id).voice_clone_id == "clone-2"
        assert [r.path for r in elevenlabs.requests_to(r"/v1/voices/[\w-]+") if r.method == "DELETE"] == [
            "/v1/voices/clone-1"
        ]

        with django_capture_on_commit_callbacks(execute=True):
            assert client.delete(f"/champions/{champion_id}").status_code == 204
        deleted = [r.path for r in elevenlabs.requests_to(r"/v1/voices/[\w-]+") if r.method == "DELETE"]
        assert deleted == ["/v1/voices/clone-1", "/v1/voices/clone-2"]

    def test_a_refused_clone_keeps_the_stock_voice_and_alerts_staff_once(
        self, user, short_call, eager_celery, elevenlabs, django_capture_on_commit_callbacks
    ):
        refusal = {"detail": {"status": "can_not_use_instant_voice_cloning", "message": "Upgrade your plan."}}
        elevenlabs.route("POST", r"/v1/voices/add", Reply.json(refusal, status=403))
        client = authenticated_client(user)
        with django_capture_on_commit_callbacks(execute=True):
            champion_id = upload(client, Path(short_call.call.wav_path), name="c.wav").json()["id"]

        for _ in range(2):
            detail = self.analyze(client, champion_id, django_capture_on_commit_callbacks)
            assert detail["status"] == "ready", detail["error"]

        assert Champion.objects.get(pk=champion_id).voice_clone_id == ""
        (alert,) = AdminAlert.objects.filter(type="champion.voice_clone_failed")
        assert "can_not_use_instant_voice_cloning" in alert.message
