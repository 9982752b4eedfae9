from __future__ import annotations

from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse
from django_structlog.middlewares import RequestMiddleware

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


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request logging, with the client IP that ``RequestContextMiddleware``
    (before it) already worked out. django-structlog asks django-ipware, which believes the
    first address of X-Forwarded-For, so any client could write the IP of its own log lines
    (and it took 80 µs a request to say so)."""

    @classmethod
    def bind_ip(cls, request: HttpRequest) -> None:
        structlog.contextvars.bind_contextvars(ip=request_context.current().ip_address)
