"""A server from a fresh clone, set up the way the README's production steps say, for the
attack run: ``git clone``, migrate, collectstatic, the default email templates, the staff
accounts (``create_admin --generate``, and a support-group member), a synthesized sales call
for the reps to upload, then gunicorn and a Celery worker on 127.0.0.1, stopped at the end.

The clone reuses the virtualenv of the repository it was cloned from (its python is the one
that runs this script) unless ``install`` asks for ``make install-dev`` in the clone."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from attacks.base import Account, Setup, free_port
from attacks.emails import MailSink
from attacks.http import strong_password

STEP_TIMEOUT = 900
START_TIMEOUT = 90.0
SUPPORT_SHELL = """
import os
from django.contrib.auth.models import Group
from accounts.models import Role, User
user = User.objects.create_user(os.environ["ATTACK_EMAIL"], os.environ["ATTACK_PASSWORD"],
                                full_name="Sam Support", role=Role.ADMIN, is_staff=True)
user.groups.add(Group.objects.get(name="support"))
"""
CALL_SHELL = """
import os
from pathlib import Path
from agents.scripts import load_script
from agents.testing.synth import call_voices, encode_recording, synthesize_call
out = Path(os.environ["ATTACK_CALL"])
turns = [(turn.speaker, turn.text) for turn in load_script("saas_helpdesk").turns]
call = synthesize_call(turns, out.with_suffix(".wav"), synthesizer=call_voices())
encode_recording(call.wav_path, out, video=True)
"""


@dataclass
class FreshServer:
    base_url: str
    setup: Setup
    sink: MailSink
    scratch: Path


def _run(command: list[str], *, cwd: Path, env: dict[str, str], extra: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**env, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:4])} failed ({done.returncode}): {(done.stderr or done.stdout)[-600:]}"
        )
    return done.stdout


def _server_env(python: Path, port: int, smtp_port: int, scratch: Path) -> dict[str, str]:
    """Production settings, but plain HTTP on the loopback, and the script as the trusted proxy."""
    return {
        "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "LANG": "C.UTF-8",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLE": "true",
        "TRUSTED_PROXY_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }


def _clone(repo: Path, scratch: Path, *, install: bool) -> tuple[Path, Path]:
    clone = scratch / "clone"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True, timeout=STEP_TIMEOUT)
    if not install:
        return clone, Path(sys.executable)
    subprocess.run(["make", "install-dev"], cwd=clone, check=True, timeout=STEP_TIMEOUT)
    return clone, clone / ".venv" / "bin" / "python"


def _prepare(clone: Path, python: Path, env: dict[str, str], scratch: Path) -> Setup:
    manage = [str(python), "manage.py"]
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["seed_email_templates"]):
        _run([*manage, *step], cwd=clone, env=env)
    staff = {}
    for role in ("superuser", "admin_victim", "password_staff"):
        email = f"{role.replace('_', '-')}@attack-run.test"
        output = _run([*manage, "create_admin", "--email", email, "--generate"], cwd=clone, env=env)
        password = next(line.split(":", 1)[1].strip() for line in output.splitlines() if "shown once" in line)
        staff[role] = Account(email, password)
    staff["support"] = Account("support@attack-run.test", strong_password())
    support = {"ATTACK_EMAIL": staff["support"].email, "ATTACK_PASSWORD": staff["support"].password}
    _run([*manage, "shell", "-c", SUPPORT_SHELL], cwd=clone, env=env, extra=support)
    call = scratch / "sales-call.mp4"
    _run([*manage, "shell", "-c", CALL_SHELL], cwd=clone, env=env, extra={"ATTACK_CALL": str(call)})
    return Setup(
        **staff,
        secret_key=env["SECRET_KEY"],
        clone_dir=clone,
        python=python,
        server_env=env,
        call_file=call,
    )


def _start(clone: Path, python: Path, env: dict[str, str], port: int, logs: Path) -> list[subprocess.Popen]:
    web = [str(python), "-m", "gunicorn", "champion_clone.wsgi", "--bind", f"127.0.0.1:{port}"]
    # One process, so that the local-memory cache holding the rate limits is one (README,
    # "Rate limits and the cache"); threads for concurrent requests.
    web += ["--workers", "1", "--threads", "8", "--timeout", "300"]
    worker = [str(python), "-m", "celery", "--app", "champion_clone", "worker", "--queues", "pipeline,light"]
    worker += ["--concurrency", "2", "--loglevel", "WARNING"]
    processes = []
    for name, command in (("gunicorn", web), ("celery", worker)):
        log = (logs / f"{name}.log").open("w")
        processes.append(
            subprocess.Popen(command, cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
    return processes


def _wait_healthy(base_url: str, processes: list[subprocess.Popen], logs: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base_url}/health", timeout=3).status_code in (200, 503):
                return
        time.sleep(0.5)
    raise RuntimeError(f"the server did not come up; see {logs}/gunicorn.log and celery.log")


def _stop(processes: list[subprocess.Popen]) -> None:
    """Each process group this script started, by id: SIGTERM, then SIGKILL after 20 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _start_redis(scratch: Path) -> tuple[subprocess.Popen, str]:
    """A throw-away Redis on 127.0.0.1 (no persistence), as production's broker and cache."""
    port = free_port()
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    log = (scratch / "redis.log").open("w")
    redis = subprocess.Popen(command, cwd=scratch, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return redis, f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def fresh_server(
    repo: Path, *, install: bool = False, keep: bool = False, redis: bool = False
) -> Iterator[FreshServer]:
    """``redis``: with a Redis of its own (REDIS_URL), as the README's production runs; without,
    the embedded default (local-memory cache, filesystem broker)."""
    scratch = Path(tempfile.mkdtemp(prefix="attack-run-"))
    processes: list[subprocess.Popen] = []
    sink = MailSink(free_port())
    try:
        clone, python = _clone(repo, scratch, install=install)
        port = free_port()
        env = _server_env(python, port, sink.controller.port, scratch)
        if redis:
            redis_process, env["REDIS_URL"] = _start_redis(scratch)
            processes.append(redis_process)
        setup = _prepare(clone, python, env, scratch)
        setup.smtp_port = sink.controller.port
        processes += _start(clone, python, env, port, scratch)
        _wait_healthy(f"http://127.0.0.1:{port}", processes, scratch)
        yield FreshServer(f"http://127.0.0.1:{port}", setup, sink, scratch)
    finally:
        _stop(processes)
        sink.stop()
        if keep:
            print(f"kept {scratch} (clone, logs)", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
