"""What the fault scripts share: an environment of their own on this machine's real services
(a PostgreSQL database and a Redis database that nothing else uses), the product's processes
(gunicorn, Celery workers and beat) started and killed the way an operator or a crash would,
and short synthesized sales calls. The HTTP client that records the answers is
``chaos.http_client``.

Two ways to give the product its settings: ``configure()`` sets them in this process's
environment (DEBUG on) for a script that also runs Django itself and whose processes inherit
them; call it before anything imports Django. ``product_env()`` returns them (DEBUG off, as
deployed) for a script that only starts processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_HOST = ["-h", "127.0.0.1", "-U", "postgres"]
REDIS = "redis://127.0.0.1:6379"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def product_env(
    var_dir: Path, database_url: str, *, redis_url: str = "", debug: bool = False, **extra: str
) -> dict[str, str]:
    """This environment with the product's settings: its own VAR_DIR, MEDIA_ROOT, database and
    Redis database (none given: the product's fallback). With ``debug`` off, the product as
    deployed, on plain HTTP on the loopback."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "DJANGO_SETTINGS_MODULE": "champion_clone.settings",
        "DEBUG": "true" if debug else "false",
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
    }
    if not debug:
        env["SECRET_KEY"] = secrets.token_urlsafe(50)
        env["ALLOWED_HOSTS"] = "127.0.0.1"
        env.update(dict.fromkeys(("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"), "false"))
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return {**env, **extra}


def database_create(name: str, *, port: int = 5432) -> str:
    """A database of that name made afresh (the counts a script prints are its run's only);
    returns its URL."""
    database_drop(name, port=port)
    subprocess.run(["createdb", *POSTGRES_HOST, "-p", str(port), name], check=True)
    return f"postgres://postgres@127.0.0.1:{port}/{name}"


def database_drop(name: str, *, port: int = 5432) -> None:
    where = [*POSTGRES_HOST, "-p", str(port)]
    subprocess.run(["dropdb", *where, "--if-exists", "--force", name], capture_output=True, check=False)


@contextlib.contextmanager
def postgres_database(prefix: str, *, port: int = 5432) -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL (or the cluster on ``port``), dropped
    afterwards."""
    name = f"{prefix}_{os.getpid()}"
    try:
        yield database_create(name, port=port)
    finally:
        database_drop(name, port=port)


def configure(*, database: str, redis_db: int, **extra: str) -> Path:
    """The script's own database (made again) and Redis database (emptied), a fresh VAR_DIR,
    DEBUG on, rate limits off, set in this environment; returns VAR_DIR. ``extra`` are more
    settings, for every process."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"chaos-{database}-"))
    database_url = database_create(database)
    settings = {"RATELIMIT_ENABLE": "false", **extra}
    os.environ.update(product_env(var_dir, database_url, redis_url=f"{REDIS}/{redis_db}", debug=True, **settings))
    subprocess.run(["redis-cli", "-n", str(redis_db), "FLUSHDB"], capture_output=True, check=False)
    return var_dir


def django_ready() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_email_templates", verbosity=0)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=REPOSITORY, check=True, stdout=subprocess.DEVNULL)


def seed(env: dict[str, str], *args: str) -> dict:
    """``chaos/seed.py``'s JSON line: the users' tokens, the ids a script needs."""
    command = [PYTHON, str(REPOSITORY / "chaos" / "seed.py"), *args]
    output = subprocess.run(command, env=env, cwd=REPOSITORY, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def start(name: str, args: list[str], *, log_dir: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``python <args>`` (a process of the product, in this environment or ``env``) writing
    ``<log_dir>/<name>.log``, in its own process group: its children are stopped with it."""
    with (log_dir / f"{name}.log").open("ab") as log:
        return subprocess.Popen(
            [PYTHON, *args], cwd=REPOSITORY, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_worker(
    name: str, *, log_dir: Path, env: dict[str, str] | None = None, queues: str = "pipeline,light", concurrency: int = 1
) -> subprocess.Popen:
    return start(
        name,
        ["-m", "celery", "--app", "champion_clone", "worker", "--queues", queues, "--concurrency", str(concurrency)]
        + ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", f"{name}@%h"],
        log_dir=log_dir,
        env=env,
    )


def start_beat(*, log_dir: Path) -> subprocess.Popen:
    schedule = log_dir / "celerybeat-schedule"
    return start(
        "beat",
        ["-m", "celery", "--app", "champion_clone", "beat", "--loglevel", "INFO", "--schedule", str(schedule)],
        log_dir=log_dir,
    )


@contextlib.contextmanager
def gunicorn(
    port: int, *, log_dir: Path, name: str = "gunicorn", env: dict[str, str] | None = None, workers: int = 2
) -> Iterator[subprocess.Popen]:
    """gunicorn on the loopback, once /health answers; stopped on the way out."""
    command = ["-m", "gunicorn", "champion_clone.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    process = start(name, [*command, "--timeout", "60"], log_dir=log_dir, env=env)
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/health", process, log_dir / f"{name}.log")
        yield process
    finally:
        stop(process)


def _wait_for_http(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(240):
        if process.poll() is not None:
            sys.exit(f"{url} did not start; see {log}")
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 (a loopback URL built here)
            return
        except urllib.error.HTTPError:
            return  # it answers (503 while a dependency is down is an answer)
        except OSError:
            time.sleep(0.5)
    kill_hard(process)
    sys.exit(f"{url} did not answer; see {log}")


@contextlib.contextmanager
def celery_workers(
    count: int, *, log_dir: Path, env: dict[str, str] | None = None, queues: str = "pipeline,light"
) -> Iterator[list[subprocess.Popen]]:
    processes = [start_worker(f"worker-{index}", log_dir=log_dir, env=env, queues=queues) for index in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            stop(process)


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the process and its children at once, as a crash or the OOM killer would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process and its children (a graceful stop: gunicorn's takes up to 30 s),
    SIGKILL if they are still there after that."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.25) -> float | None:
    """Seconds until ``predicate`` held, or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    return None


def synthesized_call(folder: Path, name: str, turn_indexes: Iterable[int], *, video: bool = False) -> Path:
    """Those turns of a labelled sales script spoken by two voices (espeak-ng, as the tests make
    them), encoded to ``<folder>/<name>.mp4`` with a video track, or to ``.m4a``."""
    from agents.scripts import load_script
    from agents.testing.synth import encode_recording, synthesize_call

    script = load_script("saas_helpdesk").turns
    call = synthesize_call([(script[i].speaker, script[i].text) for i in turn_indexes], folder / f"{name}.wav")
    out = folder / f"{name}.{'mp4' if video else 'm4a'}"
    return Path(encode_recording(call.wav_path, out, video=video))


def short_call(folder: Path) -> Path:
    """The champions tests' short call (an opener, discovery, two objections, a close) as an
    MP4 with a video track. Needs Django set up."""
    from champions.tests.conftest import SHORT_CALL_TURN_INDEXES

    return synthesized_call(folder, "call", SHORT_CALL_TURN_INDEXES, video=True)


def synthesized_clips(folder: Path, count: int, *, turns: int = 4) -> list[bytes]:
    """``count`` short calls of a few turns each, each starting at a different turn, as M4A."""
    from agents.scripts import load_script

    length = len(load_script("saas_helpdesk").turns)
    starts = [(index * 2) % (length - turns) for index in range(count)]
    return [
        synthesized_call(folder, f"clip-{index}", range(start, start + turns)).read_bytes()
        for index, start in enumerate(starts)
    ]
