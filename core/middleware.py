from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core import request_context


class RequestContextMiddleware:
    """Makes the client IP and user agent available to services and event subscribers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_context.bind(request)
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)
