"""Monitoring (README.md, "Monitoring"): the metrics every layer records into, and ``/metrics``.

- :mod:`.registry`: every counter and histogram, defined once;
- :mod:`.http`, :mod:`.db`, :mod:`.cache`, :mod:`.workers`: requests, SQL statements, cache
  reads and Celery tasks, counted by a middleware, an execute wrapper, the cache backends and
  Celery's signals;
- :mod:`.scrape`, :mod:`.queues`: gauges read when scraped (queue depths; the layers above
  register theirs);
- :mod:`.multiprocess`: the folder where every process writes its figures;
- :mod:`.exposition`: the ``/metrics`` view.

Any layer records with ``from core.metrics.registry import <METRIC>``, then
``<METRIC>.labels(...).inc()`` (or ``.observe(seconds)``).
"""

from __future__ import annotations

import structlog
from prometheus_client import values

from core.metrics import db, multiprocess, workers

logger = structlog.get_logger(__name__)


def setup() -> None:
    """Once per process, as Django starts (``core.apps``)."""
    directory = multiprocess.configured_directory()
    if directory is None or values.ValueClass is values.MutexValue:
        # prometheus-client picks its storage when first imported: PROMETHEUS_MULTIPROC_DIR must
        # be set before (settings.py sets it), or the workers' figures never reach /metrics.
        logger.warning("metrics_single_process", multiproc_dir=str(directory))
    else:
        multiprocess.prepare(directory)
    db.connect()
    workers.connect()
