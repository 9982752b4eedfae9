"""The recording limit held on what decodes, at upload (``POST /upload``: 400, no file, no row)
and in the pipeline's decode step (a ``failed`` champion with the reason, no WAV): recordings
whose header lies about their length are made on the fly, never committed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from agents.audio.decode import probe
from agents.testing.lying_recordings import LONGEST_FRAME, write_lying_recording
from champions import storage
from champions.models import Champion
from champions.pipeline import runner
from champions.tests.factories import QueuedChampionFactory

pytestmark = pytest.mark.django_db


def lying(folder: Path, true_seconds: float, **options) -> Path:
    path = Path(write_lying_recording(folder / "call.mkv", true_seconds=true_seconds, **options))
    assert probe(path).duration == pytest.approx(10.0)  # what the header declares
    return path


def upload(client, path: Path):
    upload_file = SimpleUploadedFile("call.mkv", path.read_bytes())
    return client.post("/upload", {"file": upload_file}, format="multipart")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class TestUpload:
    def test_three_hours_behind_a_ten_second_header_are_refused_with_no_file_and_no_row(self, api_client, tmp_path):
        # The attack as it was run: 3 MB of 8 kHz FLAC in Matroska, declaring 10 s, decoding to 3 h.
        bomb = lying(tmp_path, 3 * 3600, size_bytes=3_000_000)

        response = upload(api_client, bomb)

        assert response.status_code == 400, response.content
        assert response.json()["fields"]["file"] == ["The recording lasts more than 2 h; the limit is 2 h."]
        assert not Champion.objects.exists() and media_files() == []

    def test_the_duration_recorded_is_what_decodes(self, api_client, tmp_path):
        response = upload(api_client, lying(tmp_path, 90))

        assert response.status_code == 201, response.content
        assert response.json()["duration_seconds"] == pytest.approx(90, abs=1)
        assert Champion.objects.get().duration_seconds == pytest.approx(90, abs=1)

    def test_a_few_kilobytes_that_decode_to_hours_are_refused(self, api_client, tmp_path, settings):
        settings.CHAMPION_MAX_DURATION_SECONDS = 4 * 3600  # so that only the density bound holds
        bomb = lying(tmp_path, 2 * 3600, frame_samples=LONGEST_FRAME)
        assert bomb.stat().st_size < 50_000

        response = upload(api_client, bomb)

        assert response.status_code == 400, response.content
        assert "more audio than a recording of its size can hold" in response.json()["fields"]["file"][0]
        assert not Champion.objects.exists() and media_files() == []

    def test_an_upload_that_decodes_past_the_time_budget_is_refused(self, api_client, tmp_path, settings):
        settings.CHAMPION_UPLOAD_DECODE_SECONDS = 0

        response = upload(api_client, lying(tmp_path, 60))

        assert response.status_code == 400, response.content
        assert "decoding its audio took longer than 0 s" in response.json()["detail"]
        assert not Champion.objects.exists() and media_files() == []


class TestDecodeStep:
    def test_a_recording_that_decodes_past_the_limit_fails_its_champion_and_leaves_no_wav(self, tmp_path, settings):
        # Accepted when the limit was higher, or by an upload check that is not this one: the
        # worker holds the limit on what it decodes too.
        settings.CHAMPION_MAX_DURATION_SECONDS = 600
        champion = QueuedChampionFactory()
        champion.recording = f"recordings/{champion.owner_id}/lies.mkv"
        champion.save(update_fields=["recording"])
        recording = storage.media_path(champion.recording)
        recording.parent.mkdir(parents=True, exist_ok=True)
        lying(tmp_path, 30 * 60).rename(recording)

        assert not runner.step_execute(champion.pk, str(champion.analysis_run), "decode")

        champion.refresh_from_db()
        assert champion.status == Champion.Status.FAILED
        assert champion.error == "Decoding audio failed: the recording lasts more than 10 min; the limit is 10 min"
        assert (champion.audio_file, champion.duration_seconds) == ("", 60.0)  # unchanged
        assert media_files() == [recording]  # the upload stays; no WAV
