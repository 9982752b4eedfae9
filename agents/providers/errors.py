"""Errors raised by the providers (vendor SDKs and offline engines).

The pipeline's Celery tasks retry :class:`TransientProviderError` with backoff (a 429, a 5xx,
a timeout, a dropped connection: the same call may well succeed later) and fail the step at
once on :class:`PermanentProviderError` (a bad key, a malformed request, an unreadable file,
a corrupt model: retrying cannot help). Both carry the provider's name so that the readable
error stored on the champion says which engine failed.
"""

from __future__ import annotations


class ProviderError(Exception):
    """A provider could not do its job."""

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.status_code = status_code

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.provider}: {message}" if self.provider else message


class TransientProviderError(ProviderError):
    """Worth retrying later: rate limited, vendor overloaded or unreachable, timed out."""


class PermanentProviderError(ProviderError):
    """Retrying will not help: rejected request, bad credentials, unusable input or model."""
