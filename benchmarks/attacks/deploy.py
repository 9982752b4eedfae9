"""Defaults that are unsafe if deployed as they are: what /health tells strangers, what an error
page shows with DEBUG off, and whether a server started with no environment at all runs."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time

import requests

from attacks.base import Context, Outcome, attack, free_port, skipped, verdict
from attacks.http import Actor, new_rep

GROUP = "Finding: unsafe defaults (keys, claims)"
START_TIMEOUT = 45.0


def _health_keys(actor: Actor, **kwargs: object) -> tuple[int, list[str]]:
    response = actor.request("GET", "/health", **kwargs)
    return response.status_code, sorted(response.json())


@attack(GROUP, "/health to an anonymous caller, a rep's JWT and a wrong health token")
def health_details(context: Context) -> Outcome:
    rep = context.shared("health rep", lambda: new_rep(context, "health"))
    answers = [
        _health_keys(Actor(context, "anonymous")),
        _health_keys(rep, token=rep.access),
        _health_keys(Actor(context, "monitor"), token="not-the-health-token"),  # noqa: S106
    ]
    return verdict(all(keys == ["status"] for _, keys in answers), f"(status, body keys): {answers}")


@attack(GROUP, "an error page with DEBUG off shows nothing of the inside")
def debug_page(context: Context) -> Outcome:
    actor = Actor(context, "prober")
    pages = [
        actor.request("GET", f"/no-such-page-{context.run_id}"),
        actor.request("POST", "/auth/login", data="{", headers={"Content-Type": "application/json"}),
    ]
    markers = ("URLconf", "Traceback", "DEBUG = True", "settings.py", "Request Method")
    shown = [marker for page in pages for marker in markers if marker in page.text]
    return verdict(not shown, f"statuses {[p.status_code for p in pages]}; debug markers {shown or 'none'}")


@attack(GROUP, "a server started with no environment at all refuses to start")
def no_environment(context: Context) -> Outcome:
    setup = context.setup
    if setup.clone_dir is None or setup.python is None:
        return skipped("needs the server's clone and python (setup clone_dir, python)")
    port = free_port()
    command = [
        str(setup.python),
        "-m",
        "gunicorn",
        "champion_clone.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(command, cwd=setup.clone_dir, env={}, stdout=log, stderr=log, start_new_session=True)
        answered = _answers_until_exit(server, port)
        log.seek(0)
        lines = [line for line in log.read().splitlines() if "SECRET_KEY" in line or "Improperly" in line]
    return verdict(
        server.returncode not in (None, 0) and not answered,
        f"exit code {server.returncode}; answered HTTP: {answered}; {lines[-1].strip()[-110:] if lines else 'no message'}",
    )


def _answers_until_exit(server: subprocess.Popen, port: int) -> bool:
    """Whether the server answered HTTP, or was still running after START_TIMEOUT (then it
    is stopped)."""
    answered = False
    deadline = time.monotonic() + START_TIMEOUT
    while server.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            answered = answered or requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code > 0
        time.sleep(0.5)
    if server.poll() is None:  # it started
        server.terminate()
        server.wait(timeout=15)
        return True
    return answered
