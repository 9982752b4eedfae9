"""The API benchmark (README.md, "Benchmarks and evaluations"): gunicorn on the product's
settings (DEBUG off, a throw-away SQLite database unless DATABASE_URL is set), a bare JSON view
mounted beside the real routes for this run only, and wrk driving each endpoint in turn, each
right after the bare view, ``--rounds`` times. Prints each endpoint's requests/s, p50 and p95 in
the round where its ratio to the bare view was best, that ratio, and the ratios' spread.

    .venv/bin/python benchmarks/bench_api.py [--duration 10] [--connections 8] [--workers 2]
        [--rounds 3] [--call-minutes 120] [--respond-reps 20]

Then ``POST /training/respond`` on the champion of the long call, over HTTP: one rep replying
turn after turn, then ``--respond-reps`` reps at once (each its own connection and session; a
session whose conversation is over is ended and another begun), p50/p95 of each; every reply
a different text unless ``--fixed-replies``: first one new sentence among repeated ones, then
every clause new. Then the embedding model's time for a reply of each mix on one core, through
the engines' memo, in this process with the server idle: a gauge of the machine, and the least
the reps at once can queue.

Last, a refused request that the rate limits refuse (429): gunicorn again with the limits on,
the rep's training budget spent, ``POST /training/respond`` measured against the bare view of
that same server.

wrk comes from Debian's packages; the script installs it with apt-get when it is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from respond_load import drive_reps, model_time_of_replies

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# wrk prints these from its own histogram once the run is done (latency in microseconds).
REPORT_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def endpoints(seed: dict) -> list[tuple[str, str, str]]:
    """(label, method, path) in the order they are measured; the bare view first."""
    return [
        ("bare view", "GET", "/__bench__/bare"),
        ("GET /health", "GET", "/health"),
        ("GET /auth/me", "GET", "/auth/me"),
        ("GET /champions (20)", "GET", "/champions"),
        ("GET /training/sessions (20)", "GET", "/training/sessions"),
        ("GET /assignments", "GET", "/assignments"),
        (
            f"GET /champions/{{id}} ({seed['call_seconds'] / 3600:.1f} h call)",
            "GET",
            f"/champions/{seed['long_champion_id']}",
        ),
        ("GET /champions/{id}/transcript (50 segments)", "GET", f"/champions/{seed['long_champion_id']}/transcript"),
        ("GET /champions/999999 (404)", "GET", "/champions/999999"),
        ("POST /training/respond, ended session (409)", "POST", "/training/respond"),
    ]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(work: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_site.settings",
        "PYTHONPATH": f"{REPOSITORY / 'benchmarks'}{os.pathsep}{REPOSITORY}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(work),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # Every request comes from one address: the limits would answer 429 within a second.
        "RATELIMIT_ENABLE": "false",
        # The seed's token must outlive every round.
        "ACCESS_TOKEN_MINUTES": "240",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    if "REDIS_URL" not in os.environ:
        env.pop("REDIS_URL", None)
    return env


def prepare(env: dict[str, str], call_minutes: float) -> dict:
    manage = [PYTHON, str(REPOSITORY / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=REPOSITORY)
    output = subprocess.run(
        [PYTHON, "-m", "bench_site.seed", str(call_minutes)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def serve(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "champion_clone.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPOSITORY,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__bench__/bare", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"gunicorn did not answer; see {log}")


def drive(wrk: str, url: str, method: str, token: str, body: str, args: argparse.Namespace, work: Path) -> dict:
    script = work / "report.lua"
    request = (
        f'wrk.method = "{method}"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "application/json"\n'
    )
    script.write_text(request + REPORT_SCRIPT)
    command = [
        wrk,
        f"-t{min(2, args.connections)}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "-s",
        str(script),
        "-H",
        f"Authorization: Bearer {token}",
        url,
    ]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
    requests, duration_us, p50, p95, errors = next(line for line in lines if line.startswith("BENCH")).split()[1:]
    return {
        "rps": int(requests) / (int(duration_us) / 1e6),
        "p50_ms": float(p50) / 1000,
        "p95_ms": float(p95) / 1000,
        "errors": int(errors),
    }


def status_and_size(url: str, method: str, token: str, body: str) -> tuple[int, int]:
    # Every URL here is http://127.0.0.1:<port> built by this script.
    request = urllib.request.Request(  # noqa: S310
        url,
        method=method,
        data=body.encode() or None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each endpoint is measured (with the bare view); 0: respond only"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--call-minutes", type=float, default=120.0, help="length of the long champion's call")
    parser.add_argument("--respond-reps", type=int, default=20, help="reps replying at once (0: no respond part)")
    parser.add_argument(
        "--fixed-replies", action="store_true", help="respond with five texts in turn (served from the engines' memo)"
    )
    args = parser.parse_args()
    wrk = ensure_wrk() if args.rounds else ""  # the respond part needs no wrk
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        env = environment(work)
        seed = prepare(env, args.call_minutes)
        port = free_port()
        server = serve(env, port, args.workers, work / "gunicorn.log")
        try:
            if args.rounds:
                report(wrk, port, seed, args, work)
            if args.respond_reps:
                report_respond(port, seed, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
        if args.rounds:
            report_rate_limited(wrk, {**env, "RATELIMIT_ENABLE": "true"}, seed, args, work)


def report(wrk: str, port: int, seed: dict, args: argparse.Namespace, work: Path) -> None:
    print(
        f"gunicorn {args.workers} sync workers, DEBUG=false, wrk {args.connections} connections, {args.duration} s "
        f"each; every endpoint right after the bare view, {args.rounds} rounds: the round with the best ratio, "
        "and the ratio's spread over the rounds"
    )
    print_header()
    bare_url = f"http://127.0.0.1:{port}{endpoints(seed)[0][2]}"
    measured = {label: [] for label, _, _ in endpoints(seed)[1:]}
    for _ in range(args.rounds):
        for label, method, path in endpoints(seed)[1:]:
            body = json.dumps({"session_id": seed["ended_session_id"], "message": "ok"}) if method == "POST" else ""
            measured[label].append(
                paired(wrk, bare_url, f"http://127.0.0.1:{port}{path}", method, body, seed, args, work)
            )
    bare_runs = [bare for pairs in measured.values() for bare, _ in pairs]
    print_row("bare view", 200, status_and_size(bare_url, "GET", seed["token"], "")[1], bare_runs, None)
    for label, method, path in endpoints(seed)[1:]:
        body = json.dumps({"session_id": seed["ended_session_id"], "message": "ok"}) if method == "POST" else ""
        code, size = status_and_size(f"http://127.0.0.1:{port}{path}", method, seed["token"], body)
        print_row(label, code, size, [figures for _, figures in measured[label]], [b for b, _ in measured[label]])


def paired(
    wrk: str, bare_url: str, url: str, method: str, body: str, seed: dict, args: argparse.Namespace, work: Path
) -> tuple[dict, dict]:
    """The bare view, then the endpoint: a ratio of two runs seconds apart, as little moved by
    the machine's other jobs as two runs can be."""
    bare = drive(wrk, bare_url, "GET", seed["token"], "", args, work)
    return bare, drive(wrk, url, method, seed["token"], body, args, work)


def print_header() -> None:
    print(
        f"{'endpoint':<48} {'status':>6} {'bytes':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs bare':>8} "
        f"{'spread':>10}"
    )


def print_row(label: str, code: int, size: int, runs: list[dict], bare_runs: list[dict] | None) -> None:
    """The best run (of the bare view: the fastest; of an endpoint: the best ratio to the bare
    view run just before it) and the spread of the ratios."""
    if bare_runs is None:
        ratios = [1.0] * len(runs)
        best = max(range(len(runs)), key=lambda index: runs[index]["rps"])
        spread = f"{min(r['rps'] for r in runs):.0f}-{max(r['rps'] for r in runs):.0f}"
    else:
        ratios = [run["rps"] / bare["rps"] for run, bare in zip(runs, bare_runs, strict=True)]
        best = max(range(len(runs)), key=ratios.__getitem__)
        spread = f"{min(ratios):.0%}-{max(ratios):.0%}"
    figures = runs[best]
    errors = f"  ({figures['errors']} socket/status errors)" if figures["errors"] and code < 400 else ""
    print(
        f"{label:<48} {code:>6} {size:>9} {figures['rps']:>8.0f} {figures['p50_ms']:>8.1f} "
        f"{figures['p95_ms']:>8.1f} {ratios[best]:>7.0%} {spread:>10}{errors}",
        flush=True,
    )


def report_rate_limited(wrk: str, env: dict[str, str], seed: dict, args: argparse.Namespace, work: Path) -> None:
    port = free_port()
    server = serve(env, port, args.workers, work / "gunicorn-limited.log")
    url = f"http://127.0.0.1:{port}/training/respond"
    body = json.dumps({"session_id": seed["ended_session_id"], "message": "ok"})
    try:
        # Every worker counts in its own local-memory cache (no REDIS_URL): spend each one's budget.
        for _ in range(200):
            status_and_size(url, "POST", seed["token"], body)
        print("\nthe same with the rate limits on (RATELIMIT_ENABLE=true)")
        print_header()
        bare_url = f"http://127.0.0.1:{port}/__bench__/bare"
        pairs = [paired(wrk, bare_url, url, "POST", body, seed, args, work) for _ in range(args.rounds)]
        print_row("bare view", 200, status_and_size(bare_url, "GET", seed["token"], "")[1], [b for b, _ in pairs], None)
        code, size = status_and_size(url, "POST", seed["token"], body)
        print_row(
            "POST /training/respond, rate limited (429)", code, size, [f for _, f in pairs], [b for b, _ in pairs]
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


# What each mix of replies is, as the report names it.
MIX_NAMES = {
    "varied": "every reply a different text: one new sentence among repeated ones",
    "novel": "every clause of every reply new (three sentences)",
    "fixed": "the same five replies in turn",
}


def report_respond(port: int, seed: dict, args: argparse.Namespace) -> None:
    seconds = max(args.duration, 5) * 2
    call = f"{seed['call_seconds'] / 3600:.1f} h call"
    print(f"\nPOST /training/respond over HTTP on the champion of the {call}, {seconds} s each")
    print(f"{'reps at once':<16} {'replies':>8} {'p50 ms':>8} {'p95 ms':>8} {'not 200':>8}  replies sent")
    for mix in ("fixed",) if args.fixed_replies else ("varied", "novel"):
        for reps in (1, args.respond_reps):
            figures = drive_reps(port, seed, reps, seconds, mix=mix)
            print(
                f"{reps:<16} {figures['replies']:>8} {figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f} "
                f"{figures['failures']:>8}  {MIX_NAMES[mix]}",
                flush=True,
            )
    print("the embedding model alone on one core of this machine, the server idle (what the judge embeds a reply):")
    for mix in ("varied", "novel"):
        model_ms, tokens = model_time_of_replies(mix)
        print(
            f"  {mix}: {model_ms:.1f} ms a reply ({tokens:.0f} tokens not in the memo); {args.respond_reps} reps on "
            f"{args.workers} workers queue at least {args.respond_reps / args.workers * model_ms:.0f} ms on it alone"
        )


if __name__ == "__main__":
    main()
