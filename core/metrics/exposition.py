"""``GET /metrics``: the text format Prometheus scrapes, never public by default.

With ``METRICS_TOKEN`` unset the route answers 404 like any unknown path; with it set, only
``Authorization: Bearer <METRICS_TOKEN>`` (compared in constant time) gets the metrics, anyone
else the same 404, so a scanner learns nothing about what runs here.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from core.api.exceptions import not_found
from core.metrics import multiprocess
from core.metrics.scrape import ScrapeTimeCollector


def may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(token) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def metrics_text() -> bytes:
    """Every process's counters and histograms summed, and the scrape-time gauges."""
    gauges = CollectorRegistry()
    gauges.register(ScrapeTimeCollector())
    directory = multiprocess.configured_directory()
    if directory is None:  # one process only (core.metrics.setup warned): its own figures
        return generate_latest(REGISTRY) + generate_latest(gauges)
    processes = CollectorRegistry()
    MultiProcessCollector(processes, path=str(directory))
    try:
        counted = generate_latest(processes)
    except FileNotFoundError:
        # A starting process folded a dead one's file into the archive between the listing
        # and the read: read the folder again.
        counted = generate_latest(processes)
    return counted + generate_latest(gauges)


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return not_found(request)  # the API's error shape, as for any unknown path
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
