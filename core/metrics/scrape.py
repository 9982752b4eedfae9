"""Gauges read when ``/metrics`` is scraped: the state of the system, not of one process.

The readers are registered by the layer that knows the data (``champion_clone.monitoring``
registers champions by status); core reads the broker's queues itself. A reader that fails
(the broker is down) loses its own gauge for that scrape, not the whole page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.metrics.queues import queue_depths
from core.metrics.registry import PREFIX

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ScrapeGauge:
    name: str
    documentation: str
    label: str
    # Called at scrape time: label value -> gauge value.
    read: Callable[[], dict[str, float]]


_gauges: dict[str, ScrapeGauge] = {}


def register(gauge: ScrapeGauge) -> None:
    _gauges[gauge.name] = gauge


def registered() -> Iterable[ScrapeGauge]:
    return _gauges.values()


register(
    ScrapeGauge(
        name=f"{PREFIX}_celery_queue_depth",
        documentation="Messages waiting in each Celery queue (read from the broker when scraped).",
        label="queue",
        read=queue_depths,
    )
)


class ScrapeTimeCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        for gauge in registered():
            try:
                values = gauge.read()
            except Exception as exc:  # one unreadable source must not take the page down
                logger.warning("metrics_gauge_unreadable", gauge=gauge.name, error=f"{type(exc).__name__}: {exc}")
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=[gauge.label])
            for label_value, value in sorted(values.items()):
                family.add_metric([label_value], value)
            yield family

    def describe(self) -> list:
        return []  # not probed at registration: the readers touch the database and the broker
