"""PostgreSQL stopped and started again under load (README.md, "Faults"): gunicorn (2 workers,
DEBUG off) on a database of its own on the machine's PostgreSQL, clients calling an API read,
an API write, /health and the admin the whole time. Prints the answers before, during and after
the outage by status, the time to recover after PostgreSQL is back, whether any 500 (or no
answer at all) occurred, and checks that every write answered 201 is in the database once.

    .venv/bin/python chaos/restart_postgres.py [--outage-seconds 6] [--private-cluster]

By default it stops the machine's own cluster (the one on 127.0.0.1:5432, found with
``pg_lsclusters``) with ``pg_ctlcluster <version> <name> stop -m fast``, so every other client
of that server loses its connections for the outage too; it is started again whatever happens
(even on Ctrl-C) and checked to be as it was. ``--private-cluster`` restarts a throw-away
cluster of the same PostgreSQL made for the run (``pg_createcluster``) instead.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos import common
from chaos.http_client import Client, Recorder

NORMAL_STATUS = {"GET /champions": 200, "GET /auth/me": 200, "POST /teams": 201, "GET /health": 200, "admin": 200}
RECOVERED_AFTER_SECONDS = 3.0  # every endpoint normal this long after PostgreSQL is back


def clusters() -> list[dict[str, str]]:
    lines = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    keys = ("version", "name", "port", "status", "owner", "data", "log")
    return [dict(zip(keys, line.split(), strict=False)) for line in lines.splitlines() if line.strip()]


def cluster_state(version: str, name: str) -> dict[str, str]:
    return next(c for c in clusters() if (c["version"], c["name"]) == (version, name))


def pg_ctl(version: str, name: str, action: str) -> None:
    extra = ["-m", "fast"] if action == "stop" else []
    subprocess.run(["pg_ctlcluster", version, name, action, *extra], check=True)


@contextmanager
def machine_cluster() -> Iterator[tuple[str, str, int]]:
    """The cluster serving port 5432, restored to its state (online, same port) on the way out."""
    serving = [c for c in clusters() if c["port"] == "5432"]
    if not serving or serving[0]["status"] != "online":
        sys.exit(f"no online PostgreSQL cluster on port 5432: {serving}")
    before = serving[0]
    version, name = before["version"], before["name"]
    try:
        yield version, name, 5432
    finally:
        if cluster_state(version, name)["status"] != "online":
            pg_ctl(version, name, "start")
        after = cluster_state(version, name)
        same = {k: after[k] for k in ("port", "status", "data")} == {k: before[k] for k in ("port", "status", "data")}
        print(f"\nPostgreSQL {version}/{name} restored: {after['status']} on port {after['port']}", end="")
        print(" (as before)" if same else f" -- NOT as before: {before} -> {after}")


@contextmanager
def private_cluster() -> Iterator[tuple[str, str, int]]:
    version = clusters()[0]["version"]
    name, port = f"chaos{os.getpid()}", common.free_port()
    subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--start", "--", "-A", "trust"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield version, name, port
    finally:
        subprocess.run(["pg_dropcluster", version, name, "--stop"], check=False)


def call(client: Client, label: str) -> None:
    if label == "POST /teams":
        client.json(label, "POST", "/teams", {"name": f"Outage team {time.time_ns()}"})
    elif label == "admin":
        client.request(label, "GET", "/django-admin/")
    else:
        client.request(label, "GET", label.split()[1])


def drive(port: int, seeded: dict, recorder: Recorder, stopping: threading.Event) -> list[threading.Thread]:
    def loop(label: str) -> None:
        client = Client(
            port,
            recorder,
            token=seeded["token"] if label not in ("GET /health", "admin") else "",
            cookie=seeded["staff_cookie"] if label == "admin" else "",
            timeout=30,
        )
        while not stopping.is_set():
            call(client, label)
            time.sleep(0.05)

    threads = [threading.Thread(target=loop, args=(label,), daemon=True) for label in NORMAL_STATUS]
    for thread in threads:
        thread.start()
    return threads


def time_to_recover(recorder: Recorder, back_at: float) -> float | None:
    """Seconds from PostgreSQL answering again to the last abnormal answer (every endpoint
    normal from then on); None when some endpoint never came back."""
    last_bad, latest = back_at, {}
    for answer in sorted(recorder.answers, key=lambda a: a.at):
        if answer.at >= back_at:
            latest[answer.label] = answer.status
            if answer.status != NORMAL_STATUS[answer.label]:
                last_bad = answer.at
    if any(status != NORMAL_STATUS[label] for label, status in latest.items()):
        return None
    return last_bad - back_at


def wait_until_recovered(recorder: Recorder, back_at: float, limit: float) -> None:
    while time.time() - back_at < limit:
        time.sleep(0.5)
        recovered = time_to_recover(recorder, back_at)
        if recovered is not None and time.time() - (back_at + recovered) > RECOVERED_AFTER_SECONDS:
            return


def outage(cluster: tuple[str, str, int], seconds: float, recorder: Recorder) -> dict[str, float]:
    version, name, _ = cluster
    time.sleep(3)  # a baseline with the database up
    marks = {"stop": time.time()}
    pg_ctl(version, name, "stop")
    marks["down"] = time.time()
    time.sleep(seconds)
    marks["start"] = time.time()
    pg_ctl(version, name, "start")
    marks["back"] = time.time()
    wait_until_recovered(recorder, marks["back"], limit=60)
    return marks


def psql(database_url: str, sql: str) -> str:
    return subprocess.run(["psql", database_url, "-tAc", sql], capture_output=True, text=True, check=True).stdout


def report(recorder: Recorder, marks: dict[str, float], database_url: str, log: Path) -> None:
    print(f"PostgreSQL stopped for {marks['back'] - marks['stop']:.1f} s (stop {marks['down'] - marks['stop']:.1f} s")
    print(f"+ down {marks['start'] - marks['down']:.1f} s + start {marks['back'] - marks['start']:.1f} s)\n")
    phases = {
        "before": recorder.statuses(until=marks["stop"]),
        "outage": recorder.statuses(marks["stop"], marks["back"]),
        "after": recorder.statuses(since=marks["back"]),
    }
    print(f"{'endpoint':<16} " + " ".join(f"{phase:<30}" for phase in phases))
    for label in NORMAL_STATUS:
        cells = [", ".join(f"{s or 'none'}: {n}" for s, n in sorted(p.get(label, {}).items())) for p in phases.values()]
        print(f"{label:<16} " + " ".join(f"{cell:<30}" for cell in cells))
    during = [a for a in recorder.answers if marks["stop"] <= a.at < marks["back"] and a.status == 503]
    bodies = {}
    for answer in during:
        body = answer.payload()
        key = body.get("code") or f"status={body.get('status')}"
        bodies[key] = bodies.get(key, 0) + 1
    with_retry_after = sum(1 for a in during if a.retry_after)
    print(f"\n503s during the outage: {len(during)} ({with_retry_after} with Retry-After), bodies: {bodies}")
    recovered = time_to_recover(recorder, marks["back"])
    print("time to recover after PostgreSQL was back:", "never" if recovered is None else f"{recovered:.2f} s")
    server_errors = sum(1 for a in recorder.answers if a.status >= 500 and a.status != 503)
    no_answer = sum(1 for a in recorder.answers if a.status == 0)
    print(f"500s (or other 5xx but 503): {server_errors}; requests with no HTTP answer: {no_answer}")
    created = sum(1 for a in recorder.answers if a.label == "POST /teams" and a.status == 201)
    rows = int(psql(database_url, "SELECT count(*) FROM teams_team"))
    print(f"POST /teams answered 201: {created}; teams in the database: {rows} (lost or doubled: {rows - created})")
    errors = psql(
        database_url,
        "SELECT count(*) || ' ' || coalesce(string_agg(DISTINCT error_type, ','), '') FROM adminpanel_errorlog",
    )
    text = log.read_text()
    print(
        f"ErrorLog rows written: {errors.strip()}; stack traces in the server's log: {text.count('Traceback')}", end=""
    )
    print(f" {exception_lines(text)}; database_unavailable warnings logged: {text.count('database_unavailable')}")


def exception_lines(log_text: str) -> list[str]:
    """The last line of each stack trace in the log: what was raised."""
    found, lines = [], log_text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            rest = lines[index + 1 :]
            found.append(next((x for x in rest if x and not x.startswith(" ")), "?")[:160])
    return found


def run(cluster: tuple[str, str, int], args: argparse.Namespace) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="chaos-pg-") as tmp,
        common.postgres_database("chaos_pg", port=cluster[2]) as url,
    ):
        work = Path(tmp)
        env = common.product_env(work, url)
        common.manage(env, "migrate", "--noinput")
        common.manage(env, "collectstatic", "--noinput")  # the admin's pages need the manifest (DEBUG off)
        seeded = common.seed(env, "staff")
        port, recorder, stopping = common.free_port(), Recorder(), threading.Event()
        with common.gunicorn(port, log_dir=work, env=env, workers=2):
            threads = drive(port, seeded, recorder, stopping)
            try:
                marks = outage(cluster, args.outage_seconds, recorder)
            finally:
                stopping.set()
                for thread in threads:
                    thread.join(timeout=35)
        report(recorder, marks, url, work / "gunicorn.log")
        if args.keep_log:
            Path(args.keep_log).write_text((work / "gunicorn.log").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage-seconds", type=float, default=6.0, help="how long PostgreSQL stays stopped")
    parser.add_argument("--private-cluster", action="store_true", help="restart a throw-away cluster instead")
    parser.add_argument("--keep-log", help="copy the server's log there")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that the cluster is started again
    with private_cluster() if args.private_cluster else machine_cluster() as cluster:
        print(f"PostgreSQL {cluster[0]}/{cluster[1]} on port {cluster[2]}; gunicorn 2 workers, DEBUG off\n")
        run(cluster, args)


if __name__ == "__main__":
    main()
