"""Every write of champions (``champions/services.py``): upload, analysis requests, the
foreground run and deletion, with the user's deletion reaching it through accounts' signal."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import numpy as np
import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from accounts import services as account_services
from accounts.tests.factories import StaffUserFactory, UserFactory
from agents.audio.wav import write_wav
from champions import services, storage
from champions.models import Champion, ChampionPattern
from champions.pipeline.steps import STEPS
from champions.tests.factories import (
    ChampionFactory,
    EmbeddedPatternFactory,
    QueuedChampionFactory,
    ReadyChampionFactory,
)
from champions.vector_index import _qdrant_index, get_vector_index, index_items_for
from core.errors import Conflict, InvalidInput
from training.models import TrainingSession
from training.tests.factories import SessionMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

SAMPLE_RATE = 16_000


def wav_bytes(tmp_path: Path, seconds: float) -> bytes:
    noise = np.random.default_rng(3).normal(0, 0.1, int(seconds * SAMPLE_RATE)).astype(np.float32)
    return Path(write_wav(tmp_path / f"{seconds}s.wav", noise, SAMPLE_RATE)).read_bytes()


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored(relative: str, content: bytes = b"audio") -> Path:
    path = storage.media_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def spill_dir(tmp_path, monkeypatch) -> Path:
    """Where the service spills an in-memory upload for the decoder."""
    folder = tmp_path / "spill"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[str, tuple, dict]]:
    """What the services hand to the workers (by registered task name), once sent."""
    sent: list[tuple[str, tuple, dict]] = []
    monkeypatch.setattr("core.tasks.enqueue", lambda name, *args, **options: sent.append((name, args, options)))
    return sent


@pytest.fixture
def qdrant(settings):
    settings.QDRANT_URL = ":memory:"
    _qdrant_index.cache_clear()
    yield get_vector_index()
    _qdrant_index.cache_clear()


class TestUpload:
    def test_an_upload_is_stored_privately_under_a_server_made_name(
        self, user, tmp_path, spill_dir, django_capture_on_commit_callbacks
    ):
        content = wav_bytes(tmp_path, 6)
        with django_capture_on_commit_callbacks(execute=True):
            champion = services.champion_create_from_upload(
                owner=user, uploaded_file=SimpleUploadedFile("../../Maya call.wav", content)
            )
        assert (champion.name, champion.original_filename) == ("Maya call", "Maya call.wav")
        assert (champion.container_format, champion.has_video, champion.size_bytes) == ("wav", False, len(content))
        assert champion.duration_seconds == pytest.approx(6.0, abs=0.01)
        assert champion.status == "uploaded" and champion.champion_speaker == "most"
        assert champion.recording.startswith(f"recordings/{user.pk}/") and champion.recording.endswith(".wav")
        assert media_files() == [storage.media_path(champion.recording)]
        assert storage.media_path(champion.recording).read_bytes() == content
        assert list(spill_dir.iterdir()) == []  # the in-memory upload's spill is gone
        user.refresh_from_db()
        assert user.journey_stage == "first_champion"  # champion.created, published after commit

    def test_an_upload_streamed_to_disk_is_read_where_it_is(self, user, tmp_path):
        content = wav_bytes(tmp_path, 6)
        upload = TemporaryUploadedFile("call.wav", "audio/wav", len(content), None)
        upload.write(content)
        upload.flush()
        champion = services.champion_create_from_upload(
            owner=user, uploaded_file=upload, name="  Maya  ", champion_speaker="other"
        )
        assert (champion.name, champion.champion_speaker) == ("Maya", "other")
        assert Path(upload.temporary_file_path()).exists()  # Django's to remove, not ours
        assert storage.media_path(champion.recording).read_bytes() == content

    @pytest.mark.parametrize(
        ("kind", "reason"),
        [
            ("empty", "The file is empty."),
            ("text", "is not a usable recording"),
            ("short", "a sales call to learn from lasts at least"),
            ("long", "the limit is"),
        ],
    )
    def test_a_refused_upload_leaves_no_file_and_no_row(self, user, tmp_path, spill_dir, settings, kind, reason):
        settings.CHAMPION_MAX_DURATION_SECONDS = 3 * 3600
        content = {
            "empty": b"",
            "text": b"this is not audio at all" * 100,
            "short": wav_bytes(tmp_path, 1),
            "long": wav_bytes(tmp_path, 6),
        }[kind]
        if kind == "long":
            settings.CHAMPION_MAX_DURATION_SECONDS = 4
        with pytest.raises(InvalidInput, match=reason) as refused:
            services.champion_create_from_upload(owner=user, uploaded_file=SimpleUploadedFile("call.mp4", content))
        assert list(refused.value.fields) == ["file"]
        assert not Champion.objects.exists()
        assert media_files() == [] and list(spill_dir.iterdir()) == []

    def test_a_row_that_cannot_be_written_takes_its_file_with_it(self, user, tmp_path, monkeypatch):
        def refuse(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr("champions.services.events.publish", refuse)
        with pytest.raises(RuntimeError):
            services.champion_create_from_upload(
                owner=user, uploaded_file=SimpleUploadedFile("call.wav", wav_bytes(tmp_path, 6))
            )
        assert not Champion.objects.exists() and media_files() == []


class TestAnalysisRequest:
    @pytest.mark.parametrize("status", ["uploaded", "ready", "failed"])
    def test_a_request_claims_a_new_run_and_enqueues_it_after_commit(
        self, status, enqueued, django_capture_on_commit_callbacks
    ):
        champion = ChampionFactory(status=status, error="old", progress=40, step_attempts=3, analysis_run=uuid.uuid4())
        previous_run = champion.analysis_run
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.champion_analysis_request(champion=champion)
        assert enqueued == []  # nothing before commit
        champion.refresh_from_db()
        assert (champion.status, champion.step, champion.progress, champion.error) == ("queued", "", 0, "")
        assert champion.step_attempts == 0 and champion.analysis_started_at is not None
        assert champion.analysis_run not in (None, previous_run)
        for callback in callbacks:
            callback()
        assert enqueued == [
            ("champions.tasks.start_analysis", (champion.pk, str(champion.analysis_run)), {"queue": "pipeline"})
        ]

    @pytest.mark.parametrize("status", ["queued", "processing"])
    def test_a_busy_champion_is_a_conflict_and_keeps_its_run(
        self, status, enqueued, django_capture_on_commit_callbacks
    ):
        champion = QueuedChampionFactory(status=status)
        run = champion.analysis_run
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
            services.champion_analysis_request(champion=champion)
        champion.refresh_from_db()
        assert (champion.status, champion.analysis_run) == (status, run)
        assert enqueued == []

    def test_a_request_by_staff_is_audited_and_one_by_the_owner_is_not(self, enqueued):
        staff = StaffUserFactory()
        by_staff, by_owner = ReadyChampionFactory(), ReadyChampionFactory()
        services.champion_analysis_request(champion=by_staff, requested_by=staff)
        services.champion_analysis_request(champion=by_owner, requested_by=by_owner.owner)
        (entry,) = LogEntry.objects.get_for_object(by_staff).filter(additional_data__action="CHAMPION_REANALYZE")
        assert entry.changes_dict["status"] == ["ready", "queued"]
        assert not LogEntry.objects.get_for_object(by_owner).filter(additional_data__action="CHAMPION_REANALYZE")


class TestAnalysisHere:
    def test_the_whole_run_goes_in_this_process_step_by_step(self, scripted_steps):
        started = []
        champion = services.champion_analysis_run_here(
            champion=ChampionFactory(), on_step=lambda step: started.append(step.name)
        )
        assert started == scripted_steps.calls == [step.name for step in STEPS]
        assert (champion.status, champion.progress) == ("ready", 100)

    def test_a_failing_step_returns_the_failed_champion(self, scripted_steps):
        scripted_steps.fail("transcribe", ValueError("no words"))
        champion = services.champion_analysis_run_here(champion=ChampionFactory())
        assert (champion.status, champion.error) == ("failed", "Transcribing failed: no words")

    def test_a_busy_champion_is_a_conflict(self, scripted_steps):
        with pytest.raises(Conflict):
            services.champion_analysis_run_here(champion=QueuedChampionFactory())
        assert scripted_steps.calls == []


def champion_with_everything(owner=None) -> tuple[Champion, list[Path]]:
    """A ready champion with its recording, audio, indexed vectors, a voice clone and a
    practice session whose messages have audio; returns it and its files."""
    champion = ReadyChampionFactory(voice_clone_id="clone-1", **({"owner": owner} if owner else {}))
    champion.audio_file = storage.audio_name_for(champion.pk, champion.owner_id)
    champion.save()
    files = [stored(champion.recording), stored(champion.audio_file)]
    for position in range(3):
        EmbeddedPatternFactory(champion=champion, position=position)
    get_vector_index().replace_champion(champion.pk, index_items_for(champion.pk))
    session = TrainingSessionFactory(user=champion.owner, champion=champion)
    message = SessionMessageFactory(
        session=session, input_audio=f"training/{session.pk}/in.wav", speech_audio=f"training/{session.pk}/out.mp3"
    )
    files += [stored(message.input_audio), stored(message.speech_audio)]
    return champion, files


class TestDelete:
    def test_deletion_removes_rows_then_after_commit_files_vectors_and_the_voice_clone(
        self, qdrant, enqueued, django_capture_on_commit_callbacks
    ):
        champion, files = champion_with_everything()
        kept, kept_files = champion_with_everything()
        champion_id = champion.pk
        assert qdrant.count(champion_id) == 3
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.champion_delete(champion=champion)
        assert not Champion.objects.filter(pk=champion_id).exists()
        assert not ChampionPattern.objects.filter(champion_id=champion_id).exists()
        assert not TrainingSession.objects.filter(champion_id=champion_id).exists()
        assert all(f.exists() for f in files) and enqueued == []  # nothing outside the database before commit
        for callback in callbacks:
            callback()
        assert not any(f.exists() for f in files)
        assert qdrant.count(champion_id) == 0
        assert enqueued == [("champions.tasks.delete_voice_clone", ("clone-1",), {})]
        assert all(f.exists() for f in kept_files) and qdrant.count(kept.pk) == 3

    def test_a_champion_without_files_or_clone_is_deleted_too(self, enqueued, django_capture_on_commit_callbacks):
        champion = ChampionFactory()
        with django_capture_on_commit_callbacks(execute=True):
            services.champion_delete(champion=champion)
        assert not Champion.objects.exists() and enqueued == []

    def test_deleting_a_user_deletes_their_champions_with_everything(
        self, qdrant, enqueued, django_capture_on_commit_callbacks
    ):
        owner = UserFactory()
        first, first_files = champion_with_everything(owner)
        second, second_files = champion_with_everything(owner)
        other, other_files = champion_with_everything()
        with django_capture_on_commit_callbacks(execute=True):
            account_services.user_delete(user=owner)
        assert list(Champion.objects.values_list("id", flat=True)) == [other.pk]
        assert not any(f.exists() for f in first_files + second_files)
        assert qdrant.count(first.pk) == qdrant.count(second.pk) == 0
        assert [name for name, _, _ in enqueued] == ["champions.tasks.delete_voice_clone"] * 2
        assert all(f.exists() for f in other_files) and qdrant.count(other.pk) == 3
