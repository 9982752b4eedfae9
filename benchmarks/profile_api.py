"""The API benchmark's endpoints in process (issue 13): bench_api's settings and seeded data,
each request through the whole middleware stack with ``django.test.Client``, no server and no
load generator. Prints each endpoint's CPU time per request (the best of three batches: CPU
time moves less than wall time with the machine's other jobs), its ratio to the bare view, and
its queries; ``--profile LABEL`` prints where that endpoint's time goes (cProfile).

    .venv/bin/python benchmarks/profile_api.py [--requests 300] [--call-minutes 120]
        [--profile "GET /auth/me"] [--queries]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import endpoints, environment, prepare

BATCHES = 3


def measure(args: argparse.Namespace, seed: dict) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {seed['token']}")
    body = json.dumps({"session_id": seed["ended_session_id"], "message": "ok"})

    def call(method: str, path: str):
        if method == "POST":
            return client.post(path, body, content_type="application/json")
        return client.get(path)

    print(f"in process (django.test.Client), CPU time per request, best of {BATCHES} batches of {args.requests}")
    print(f"{'endpoint':<48} {'status':>6} {'bytes':>9} {'cpu ms':>8} {'vs bare':>8} {'queries':>8}")
    bare_ms = None
    for label, method, path in endpoints(seed):
        response = call(method, path)
        queries: list[str] = []
        with connection.execute_wrapper(recording(queries)):
            call(method, path)
        best = min(batch(call, method, path, args.requests) for _ in range(BATCHES))
        bare_ms = bare_ms or best
        print(
            f"{label:<48} {response.status_code:>6} {len(response.content):>9} {best:>8.2f} {bare_ms / best:>7.0%} "
            f"{len(queries):>8}",
            flush=True,
        )
        if args.queries:
            for sql in queries:
                print(f"    {sql[:160]}")
        if args.profile == label:
            profiler = cProfile.Profile()
            profiler.runcall(batch, call, method, path, args.requests)
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(30)
            if args.callers:
                stats.print_callers(args.callers)


def recording(queries: list[str]):
    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def batch(call, method: str, path: str, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        call(method, path)
    return (time.process_time() - started) * 1000 / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per batch")
    parser.add_argument("--call-minutes", type=float, default=120.0)
    parser.add_argument("--profile", default="", help="an endpoint's label, as printed")
    parser.add_argument("--callers", default="", help="with --profile: who calls functions matching this")
    parser.add_argument("--queries", action="store_true", help="print each endpoint's SQL")
    parser.add_argument("--seed", help=argparse.SUPPRESS)  # the inner run's seeded data
    args = parser.parse_args()
    if args.seed:
        measure(args, json.loads(args.seed))
        return
    with tempfile.TemporaryDirectory(prefix="profile-api-") as tmp:
        env = {**environment(Path(tmp)), "LOG_LEVEL": "CRITICAL", "ALLOWED_HOSTS": "testserver"}
        seed = prepare(env, args.call_minutes)
        inner = [sys.executable, __file__, *sys.argv[1:], "--seed", json.dumps(seed)]
        subprocess.run(inner, env=env, check=True, cwd=os.fspath(Path(__file__).resolve().parent.parent))


if __name__ == "__main__":
    main()
