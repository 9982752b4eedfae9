"""Upload handling: the recording streams to a temporary file on disk, never whole into
memory, and is refused with 413 as soon as it grows past the size limit."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from champion_clone.errors import PayloadTooLarge


def too_large_message() -> str:
    return f"The file is larger than the {settings.CHAMPION_UPLOAD_MAX_BYTES // (1024 * 1024)} MB limit."


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Every upload goes to a temporary file; past the limit the request stops with a 413
    (the partial temporary file is closed and deleted with the handler's file object)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Refuse early when the client announces a body far beyond the limit.
        if content_length and content_length > settings.CHAMPION_UPLOAD_MAX_BYTES + 1024 * 1024:
            raise PayloadTooLarge(too_large_message())
        self.received = 0
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.CHAMPION_UPLOAD_MAX_BYTES:
            self.file.close()
            raise PayloadTooLarge(too_large_message())
        return super().receive_data_chunk(raw_data, start)
