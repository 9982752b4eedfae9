"""What recording metrics costs (README.md, "Monitoring"): the request middleware per request,
the SQL execute wrapper per statement and the counted cache per read, each measured against the
same work without it, in this process with the multiprocess folder of the product's settings.

    .venv/bin/python benchmarks/bench_metrics.py [--rounds 20000]

Prints microseconds per operation, best of five runs of ``--rounds`` each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def best_of(function: Callable[[], None], rounds: int, repeats: int = 5) -> float:
    """Microseconds per call, the fastest of ``repeats`` runs."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(rounds):
            function()
        timings.append((time.perf_counter() - started) / rounds * 1e6)
    return min(timings)


def middleware_cost(rounds: int) -> tuple[float, float]:
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from core.metrics.http import RequestMetricsMiddleware

    request = RequestFactory().get("/training/respond")
    request.resolver_match = resolve("/training/respond")
    response = HttpResponse(b"{}")

    def bare(req):
        return response

    metered = RequestMetricsMiddleware(bare)
    return best_of(lambda: bare(request), rounds), best_of(lambda: metered(request), rounds)


def query_cost(rounds: int) -> tuple[float, float]:
    from django.db import connection

    from core.metrics import db

    connection.ensure_connection()
    wrappers = list(connection.execute_wrappers)

    def select() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    connection.execute_wrappers[:] = [w for w in wrappers if not getattr(w, "metrics_counter", False)]
    bare = best_of(select, rounds)
    db.install(type(connection), connection)
    return bare, best_of(select, rounds)


def cache_cost(rounds: int) -> tuple[float, float]:
    from django.core.cache.backends.locmem import LocMemCache as DjangoLocMem

    from core.metrics.cache import LocMemCache

    params = {"OPTIONS": {"MAX_ENTRIES": 1000}}
    plain, counted = DjangoLocMem("bench-plain", params), LocMemCache("bench-counted", params)
    plain.set("key", 1)
    counted.set("key", 1)
    return best_of(lambda: plain.get("key"), rounds), best_of(lambda: counted.get("key"), rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    os.environ.update({"DEBUG": "true", "VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "champion_clone.settings"})
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench.sqlite3")
    sys.path.insert(0, str(REPOSITORY))
    import django

    django.setup()
    print(f"metrics folder: {os.environ['PROMETHEUS_MULTIPROC_DIR']}")
    for label, measure in (
        ("request (middleware)", middleware_cost),
        ("SQL statement (execute wrapper)", query_cost),
        ("cache read (LocMem get)", cache_cost),
    ):
        bare, metered = measure(args.rounds)
        print(f"{label:34s} without {bare:8.2f} us  with {metered:8.2f} us  cost {metered - bare:6.2f} us")


if __name__ == "__main__":
    main()
