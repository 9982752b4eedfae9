"""The API's one error shape, produced here for every 4xx and 5xx:

    {"detail": "<human readable message>", "code": "<machine code>", "fields": {"<field>": ["..."]}}

``detail`` keeps the FastAPI-era front end working; ``fields`` is empty unless the input had
field errors.
"""

from __future__ import annotations

import sys
from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agents.providers.errors import ProviderError, TransientProviderError
from core import errors, ops, outage

logger = structlog.get_logger(__name__)

DOMAIN_STATUS = {
    errors.InvalidInput: status.HTTP_400_BAD_REQUEST,
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.AuthenticationFailed: status.HTTP_401_UNAUTHORIZED,
    errors.PermissionDenied: status.HTTP_403_FORBIDDEN,
    errors.PayloadTooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    errors.RateLimited: status.HTTP_429_TOO_MANY_REQUESTS,
    errors.InsufficientStorage: status.HTTP_507_INSUFFICIENT_STORAGE,
}

DATABASE_UNAVAILABLE_DETAIL = "The database is briefly unavailable. Try again in a moment."


def error_body(detail: str, code: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "fields": fields or {}}


def _flatten(detail: Any) -> dict[str, Any]:
    """DRF's nested ``ErrorDetail`` structures, as plain lists of strings per field."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value: Any) -> Any:
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _messages(item) for key, item in value.items()}
    return [str(value)]


def _summary(fields: dict[str, Any]) -> str:
    for name, messages in fields.items():
        first = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(first, str):
            return first if name == "non_field_errors" else f"{name}: {first}"
    return "The request is not valid."


# Vendors' names as users know them.
_VENDOR_NAMES = {"openai": "OpenAI", "elevenlabs": "ElevenLabs", "anthropic": "Anthropic"}


def _vendor_error(exc: ProviderError) -> Response:
    """A vendor that did not do its part of a request (transcribing a spoken reply, say):
    503 with Retry-After when trying again later may work, 502 when it will not (a bad key),
    which staff must fix and so find in the ErrorLog. Never the vendor's own message."""
    vendor = _VENDOR_NAMES.get(exc.provider, exc.provider or "An external service")
    if isinstance(exc, TransientProviderError):
        response = Response(
            error_body(f"{vendor} did not answer in time. Try again in a moment.", "vendor_unavailable"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "30"
        return response
    logger.error("vendor_request_failed", provider=exc.provider, error=str(exc))
    ops.error_record(exc, source=f"api: {exc.provider}")
    return Response(
        error_body(f"{vendor} refused the request. The error was recorded for the team.", "vendor_error"),
        status=status.HTTP_502_BAD_GATEWAY,
    )


def _database_unavailable(exc: BaseException, path: str) -> Response:
    """Not recorded in the ErrorLog, which lives in the database that is out; logged once
    every few seconds per process, not once per request."""
    outage.database_outage_warning(exc, path=path)
    response = Response(
        error_body(DATABASE_UNAVAILABLE_DETAIL, "database_unavailable"), status=status.HTTP_503_SERVICE_UNAVAILABLE
    )
    response["Retry-After"] = str(outage.DATABASE_RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if outage.is_database_unavailable(exc):
        request = context.get("request")
        return _database_unavailable(exc, request.path if request is not None else "")
    if isinstance(exc, ProviderError):
        return _vendor_error(exc)
    if isinstance(exc, errors.DomainError):
        status_code = next(
            (code for cls, code in DOMAIN_STATUS.items() if isinstance(exc, cls)), status.HTTP_400_BAD_REQUEST
        )
        response = Response(error_body(exc.message, exc.code, exc.fields), status=status_code)
        if isinstance(exc, errors.RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body(_summary(fields), "invalid", fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it, ErrorLog records it, handler500 answers
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body(_summary(fields), "invalid", fields)
    else:
        detail = exc.detail if isinstance(exc, drf_exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, drf_exceptions.APIException) else "error"
        if isinstance(detail, dict):  # simplejwt puts {"detail", "code", "messages"} here
            message = str(detail.get("detail", "Invalid token."))
            code = str(detail.get("code", "token_not_valid"))
        else:
            message = str(detail)
        response.data = error_body(message, code if isinstance(code, str) else "error")
    return response


def _json_error(detail: str, code: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(detail, code), status=status_code)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error("Not found.", "not_found", 404)


def server_error(request: HttpRequest) -> JsonResponse:
    """Django's last resort (handler500), also for what failed outside a DRF view: the admin,
    a middleware reading the session. A database outage there is a 503 like in the API."""
    exc = sys.exc_info()[1]
    if outage.is_database_unavailable(exc):
        outage.database_outage_warning(exc, path=request.path)
        response = _json_error(DATABASE_UNAVAILABLE_DETAIL, "database_unavailable", 503)
        response["Retry-After"] = str(outage.DATABASE_RETRY_AFTER_SECONDS)
        return response
    # Never the exception text: internals stay in the logs and the ErrorLog.
    return _json_error("Internal server error. The error was recorded.", "server_error", 500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error("Bad request.", "bad_request", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error("You do not have permission to do this.", "permission_denied", 403)
