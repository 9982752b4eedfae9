"""Upload handling: a file streams to a temporary file on disk, never whole into memory, and
is refused with 413 as soon as it grows past its size limit, or 507 when the disk is full."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from core.errors import InsufficientStorage, PayloadTooLarge
from core.outage import disk_full_as_insufficient_storage

T = TypeVar("T")


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
        return self._written(super().receive_data_chunk, raw_data, start)

    def file_complete(self, file_size: int):
        # The temporary file's last buffered bytes are written here.
        return self._written(super().file_complete, file_size)

    def _written(self, write: Callable[..., T], *args: object) -> T:
        """The temporary folder full: 507, the partial temporary file closed, which deletes it."""
        try:
            with disk_full_as_insufficient_storage("the upload"):
                return write(*args)
        except InsufficientStorage:
            self.file.close()
            raise
