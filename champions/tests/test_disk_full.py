"""The disk full under an upload (``POST /upload``): a 507 in the error shape, no partial file,
no row, one alert for staff. "No space left on device" is raised where the bytes are written,
after part of them were (``chaos/disk_full.py`` fills a real tmpfs instead)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from adminpanel.models import AdminAlert, ErrorLog
from champions import storage
from champions.models import Champion
from core.outage import disk_full_as_insufficient_storage

pytestmark = pytest.mark.django_db

DISK_FULL_BODY = {
    "detail": "The server has no room left to store the recording. Try again later.",
    "code": "insufficient_storage",
    "fields": {},
}


def upload(client, path: Path):
    return client.post("/upload", {"file": SimpleUploadedFile("call.mp4", path.read_bytes())}, format="multipart")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def half_then_disk_full(source, target, length=0):
    target.write(source.read(4096))
    target.flush()
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_media_disk_is_a_507_with_no_partial_file_no_row_and_one_alert(api_client, short_call, monkeypatch):
    monkeypatch.setattr(storage.shutil, "copyfileobj", half_then_disk_full)

    responses = [upload(api_client, short_call.mp4) for _ in range(2)]

    assert [r.status_code for r in responses] == [507, 507]
    assert responses[0].json() == DISK_FULL_BODY
    assert not Champion.objects.exists()
    assert media_files() == []
    (alert,) = AdminAlert.objects.filter(type="storage.media_full")  # the second one deduplicated
    assert alert.severity == "critical" and settings.MEDIA_ROOT in alert.message
    assert not ErrorLog.objects.exists()


def test_the_upload_goes_through_once_there_is_room_again(api_client, short_call, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(storage.shutil, "copyfileobj", half_then_disk_full)
        assert upload(api_client, short_call.mp4).status_code == 507

    response = upload(api_client, short_call.mp4)

    assert response.status_code == 201, response.content
    (stored,) = media_files()
    assert stored.read_bytes() == short_call.mp4.read_bytes()


def test_a_full_temporary_folder_is_a_507_and_the_partial_temporary_file_is_deleted(
    api_client, short_call, monkeypatch, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    written = []

    def fill_then_fail(handler, raw_data, start):
        written.append(handler.file.temporary_file_path())
        handler.file.write(raw_data[:1000])
        handler.file.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", fill_then_fail)

    response = upload(api_client, short_call.mp4)

    assert response.status_code == 507, response.content
    assert response.json()["code"] == "insufficient_storage"
    assert written and os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []
    assert not Champion.objects.exists() and media_files() == []


def test_only_a_full_disk_becomes_a_507():
    with pytest.raises(PermissionError), disk_full_as_insufficient_storage("the recording"):
        raise PermissionError(errno.EACCES, "Permission denied")


def test_the_real_copy_still_stores_the_whole_file(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(3 * storage.RECORDING_COPY_CHUNK_BYTES + 17))

    storage.store_recording(str(source), "recordings/1/x.bin")

    assert storage.media_path("recordings/1/x.bin").read_bytes() == source.read_bytes()
