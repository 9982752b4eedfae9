"""Upload handling: a file streams to a temporary file on disk, never whole into memory, and
is refused with 413 as soon as it grows past its size limit."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from core.errors import PayloadTooLarge


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Every upload goes to a temporary file; past ``max_bytes`` the request stops with a 413
    (the partial temporary file is closed and deleted with the handler's file object).
    Without ``max_bytes``: the recording limit, ``CHAMPION_UPLOAD_MAX_BYTES``."""

    def __init__(self, request=None, *, max_bytes: int | None = None) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.CHAMPION_UPLOAD_MAX_BYTES

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The file is larger than the {self.max_bytes / (1024 * 1024):g} MB limit.")

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Refuse early when the client announces a body far beyond the limit.
        if content_length and content_length > self.max_bytes + 1024 * 1024:
            raise self.too_large()
        self.received = 0
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.file.close()
            raise self.too_large()
        return super().receive_data_chunk(raw_data, start)
