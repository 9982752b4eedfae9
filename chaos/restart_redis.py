"""Redis restarted while web (gunicorn), a worker and beat run (README.md, "Faults").

On this machine's PostgreSQL and Redis. A champion's analysis is running when Redis is shut
down without saving (``redis-cli shutdown nosave``: the queues, the unacknowledged messages and
the cache are gone, as after a crash of a Redis without persistence). For ``--outage`` seconds
the script calls the API; then it starts ``redis-server`` again exactly as it ran before (its
configuration is compared before and after). Printed: the answers during and after the outage
by endpoint and status, whether the worker reconnected by itself (same process), how long the
analysis took to end after Redis came back, and whether its events, webhook deliveries and
emails arrived once each.

The Redis server is shared by everything on the machine: the outage lasts seconds.

    .venv/bin/python chaos/restart_redis.py [--outage 8]
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos import common
from chaos.http_client import Client, Recorder


def options_parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=8.0, help="seconds Redis stays down")
    return parser.parse_args()


# Before configure(), which makes the script's database again and empties its Redis database:
# --help leaves everything alone.
OPTIONS = options_parse()
# Rate limits on: what they do while their counters are away is part of what is measured.
VAR_DIR = common.configure(database="chaos_restart_redis", redis_db=14, RATELIMIT_ENABLE="true")
common.django_ready()

from chaos.runs import analysis_start, claimed, ended, notices, row, webhook_endpoint_add  # noqa: E402

PASSWORD = "Chaos-restart-1"  # noqa: S105 - a throw-away account in the script's own database
# The server's options that differ from Redis's defaults, as they are read back from it.
REDIS_OPTIONS = ("bind", "port", "daemonize", "save", "appendonly", "dir", "logfile", "pidfile", "protected-mode")


def redis_config() -> dict[str, str]:
    lines = subprocess.run(["redis-cli", "CONFIG", "GET", "*"], capture_output=True, text=True, check=True).stdout
    values = lines.splitlines()
    return dict(zip(values[::2], values[1::2], strict=False))


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "PING"], capture_output=True, text=True).stdout.strip() == "PONG"


def redis_start(config: dict[str, str]) -> None:
    """``redis-server`` with the options it ran with (no configuration file on this machine)."""
    command = ["redis-server"]
    for name in REDIS_OPTIONS:
        command += [f"--{name}", config[name]]
    subprocess.run(command, cwd=config["dir"], check=True)
    common.wait_for(redis_up, timeout=30, interval=0.05)


class Api:
    """The API over HTTP, as a client sees it: every answer's status recorded per label."""

    def __init__(self, port: int, recorder: Recorder) -> None:
        self.client = Client(port, recorder, timeout=30)

    def authorize(self, token: str) -> None:
        self.client.headers["Authorization"] = f"Bearer {token}"

    def call(self, label: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        answer = self.client.json(label, method, path, body)
        with contextlib.suppress(ValueError):
            return answer.status, answer.payload()
        return answer.status, {}

    def round(self, tag: str, email: str, refresh: str, champion_id: int) -> None:
        self.call(f"{tag} GET /health", "GET", "/health")
        self.call(f"{tag} GET /champions", "GET", "/champions")
        self.call(f"{tag} GET /champions/id", "GET", f"/champions/{champion_id}")
        self.call(f"{tag} POST /auth/login", "POST", "/auth/login", {"email": email, "password": PASSWORD})
        self.call(f"{tag} POST /auth/refresh", "POST", "/auth/refresh", {"refresh_token": refresh})


def outage(api: Api, seconds: float, email: str, champion_id: int, config: dict[str, str]) -> None:
    """Redis down for ``seconds`` while the API is called."""
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, check=False)
    common.wait_for(lambda: not redis_up(), timeout=10, interval=0.05)
    until = time.monotonic() + seconds
    try:
        while time.monotonic() < until:
            api.round("during", email, "not-a-token", champion_id)
            time.sleep(0.2)
    finally:
        redis_start(config)


def seconds_until_ended(champion_ids: list[int], *, timeout: float) -> dict[int, float]:
    started, seconds = time.monotonic(), {}
    while len(seconds) < len(champion_ids) and time.monotonic() - started < timeout:
        for champion_id in champion_ids:
            if champion_id not in seconds and ended(champion_id):
                seconds[champion_id] = time.monotonic() - started
        time.sleep(0.25)
    return seconds


def main() -> None:
    before = redis_config()
    webhook_endpoint_add()
    mp4 = common.short_call(VAR_DIR)
    port = common.free_port()
    with common.gunicorn(port, log_dir=VAR_DIR, name="web"):
        worker, beat = common.start_worker("worker", log_dir=VAR_DIR), None
        try:
            beat = common.start_beat(log_dir=VAR_DIR)
            run(Api(port, Recorder()), mp4, OPTIONS.outage, before, worker)
        finally:
            if not redis_up():
                redis_start(before)
            for process in (beat, worker):
                if process is not None:
                    common.stop(process)
    print(f"logs: {VAR_DIR}")


def run(api: Api, mp4: Path, outage_seconds: float, before: dict[str, str], worker: subprocess.Popen) -> None:
    """One analysis running and another queued when Redis goes down, the API called before,
    during and after."""
    from accounts.models import User

    champion_id = analysis_start(mp4)
    owner = User.objects.get(pk=row(champion_id).owner_id)
    owner.set_password(PASSWORD)
    owner.save(update_fields=["password"])
    _, tokens = api.call("before POST /auth/login", "POST", "/auth/login", {"email": owner.email, "password": PASSWORD})
    api.authorize(tokens["access_token"])
    api.round("before", owner.email, tokens["refresh_token"], champion_id)
    common.wait_for(lambda: claimed(champion_id, "transcribe") or ended(champion_id), timeout=300, interval=0.02)
    step_at_outage = row(champion_id).step
    # Its worker is busy: this one's first message waits in Redis, and goes with its data.
    waiting_id = analysis_start(mp4)
    time.sleep(1)
    outage(api, outage_seconds, owner.email, champion_id, before)
    ended_after = seconds_until_ended([champion_id, waiting_id], timeout=600)
    _, tokens = api.call("after POST /auth/login", "POST", "/auth/login", {"email": owner.email, "password": PASSWORD})
    api.round("after", owner.email, tokens.get("refresh_token", ""), champion_id)
    report(
        api,
        before,
        worker,
        [
            (champion_id, step_at_outage, ended_after.get(champion_id)),
            (waiting_id, "queued", ended_after.get(waiting_id)),
        ],
    )


def report(api: Api, before: dict, worker, analyses: list[tuple[int, str, float | None]]) -> None:
    print("answers (endpoint: status x count):")
    table = api.client.recorder.statuses()
    for label in sorted(table):
        print(f"  {label:<28} " + ", ".join(f"{status} x{n}" for status, n in sorted(table[label].items())))
    server_errors = sum(
        n for label, counts in table.items() if "/health" not in label for status, n in counts.items() if status >= 500
    )
    print(f"5xx answers outside /health: {server_errors}")
    after = redis_config()
    changed = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    print(f"Redis restored as it was: {changed or 'yes'}")
    print(f"worker reconnected without a restart: {'yes' if worker.poll() is None else 'no, it exited'}")
    for champion_id, state, seconds in analyses:
        took = "did not end in 10 min" if seconds is None else f"{seconds:.1f} s after Redis was back"
        events, webhooks, emails = notices(champion_id)
        print(
            f"analysis {state!r} at the outage: ended {row(champion_id).status!r} {took}; "
            f"champion.analyzed events / webhook deliveries / emails: {events} / {webhooks} / {emails} (1 each)"
        )


if __name__ == "__main__":
    main()
