"""Requests per route name and status, and their latency: one counter and one histogram per
request, labelled by the resolved route's name (``training-respond``), never the raw path, so
that ids and junk URLs cannot grow the label set."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.metrics.registry import HTTP_LATENCY, HTTP_REQUESTS

UNRESOLVED = "<unresolved>"  # no route matched: a 404, or static files answered before routing
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Outermost, so that its time is the whole stack's (measured overhead: README.md,
    "Monitoring")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = route_name(request)
        method = request.method if request.method in _KNOWN_METHODS else "other"
        HTTP_LATENCY.labels(view, method).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response
