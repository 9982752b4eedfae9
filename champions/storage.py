"""Where a champion's files live: under MEDIA_ROOT, with names the server makes.

MEDIA_ROOT is private: no URL route and no static-file server points at it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings

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
