"""Where a champion's files live: under MEDIA_ROOT, with names the server makes.

MEDIA_ROOT is private: no URL route and no static-file server points at it.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings

from core import ops
from core.errors import InsufficientStorage
from core.outage import disk_full_as_insufficient_storage

# Extensions by PyAV container format name (the decoder decides the type, not the upload's name).
EXTENSION_BY_FORMAT = {
    "mov,mp4,m4a,3gp,3g2,mj2": "mp4",
    "matroska,webm": "mkv",
    "wav": "wav",
    "mp3": "mp3",
    "ogg": "ogg",
    "flac": "flac",
    "aac": "aac",
}


RECORDING_COPY_CHUNK_BYTES = 1024 * 1024


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def new_recording_name(owner_id: int, container_format: str) -> str:
    extension = EXTENSION_BY_FORMAT.get(container_format, "bin")
    return f"recordings/{owner_id}/{uuid.uuid4().hex}.{extension}"


def audio_name_for(champion_id: int, owner_id: int) -> str:
    return f"audio/{owner_id}/champion-{champion_id}.wav"


def remove_files(*relative_paths: str) -> None:
    for relative in relative_paths:
        if relative:
            media_path(relative).unlink(missing_ok=True)


def store_recording(source_path: str, relative: str) -> None:
    """Copies an upload into private media under ``relative``. When that fails (the disk full:
    507, raised as ``InsufficientStorage``, and one alert for staff) no partial file stays."""
    destination = media_path(relative)
    try:
        with disk_full_as_insufficient_storage("the recording"):
            destination.parent.mkdir(parents=True, exist_ok=True)
            with open(source_path, "rb") as source, open(destination, "wb") as target:
                shutil.copyfileobj(source, target, RECORDING_COPY_CHUNK_BYTES)
    except BaseException as exc:
        destination.unlink(missing_ok=True)
        if isinstance(exc, InsufficientStorage):
            ops.alert_raise(
                type="storage.media_full",
                message=f"An upload was refused: no space left under MEDIA_ROOT ({settings.MEDIA_ROOT}).",
                severity=ops.AlertSeverity.CRITICAL,
                resource_type="storage",
                resource_id="media",
            )
        raise
