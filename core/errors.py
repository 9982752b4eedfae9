"""Domain errors raised by services. One DRF exception handler turns them into the API's
single error shape (``core.api.exceptions``); services know nothing of HTTP."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "invalid"
    default_message = "The request is not valid."


class NotFound(DomainError):
    code = "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    code = "conflict"
    default_message = "The resource is not in a state that allows this."


class AuthenticationFailed(DomainError):
    code = "authentication_failed"
    default_message = "Invalid credentials."


class PermissionDenied(DomainError):
    code = "permission_denied"
    default_message = "You do not have permission to do this."


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    default_message = "The upload is too large."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many requests. Try again later."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)


class InsufficientStorage(DomainError):
    """The disk that would hold an upload is full: 507, nothing stored."""

    code = "insufficient_storage"
    default_message = "The server has no room left to store this. Try again later."
