"""Shared OpenAPI pieces: the one error shape, and the error responses every endpoint can give."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input",
        401: "Not authenticated or invalid credentials",
        403: "Forbidden",
        404: "Not found (or another user's)",
        409: "Conflict with the resource's state",
        413: "Payload too large",
        429: "Rate limited; see Retry-After",
        503: "A backing service (the database) is briefly unavailable; see Retry-After",
        507: "No room left to store the upload",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in status_codes}


def strip_trailing_slashes(result: dict, generator: object, request: object, public: bool) -> dict:
    """Show the seed's paths (``/auth/login``); every route accepts both forms anyway."""
    result["paths"] = {(path.rstrip("/") or "/"): operations for path, operations in result.get("paths", {}).items()}
    return result
