"""What the fault scripts share: an environment of their own on this machine's real services
(a PostgreSQL database and a Redis database that nothing else uses), real processes started
and killed the way an operator or a crash would, and a short synthesized sales call.

Call ``configure()`` before anything imports Django: it sets the environment that the scripts
and every process they start read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"


def configure(*, database: str, redis_db: int, **extra: str) -> Path:
    """The script's own database (made again) and Redis database (emptied), a fresh VAR_DIR;
    returns VAR_DIR. ``extra`` are more settings, for every process."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"chaos-{database}-"))
    # A fresh database every run: the counts printed are this run's only.
    postgres = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *postgres, "--if-exists", "--force", database], capture_output=True, check=False)
    subprocess.run(["createdb", *postgres, database], capture_output=True, check=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "champion_clone.settings",
            "DEBUG": "true",
            "DATABASE_URL": f"{POSTGRES}/{database}",
            "REDIS_URL": f"{REDIS}/{redis_db}",
            "VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
            "RATELIMIT_ENABLE": "false",
            "LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    subprocess.run(["redis-cli", "-n", str(redis_db), "FLUSHDB"], capture_output=True, check=False)
    sys.path.insert(0, str(BASE_DIR))
    return var_dir


def django_ready() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_email_templates", verbosity=0)


def start(name: str, args: list[str], *, log_dir: Path) -> subprocess.Popen:
    """A real process of the product in its own process group (its children die with it)."""
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the process writes it until it ends
    return subprocess.Popen(
        [sys.executable, *args], cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_worker(name: str, *, log_dir: Path, queues: str = "pipeline,light", concurrency: int = 1) -> subprocess.Popen:
    return start(
        name,
        ["-m", "celery", "--app", "champion_clone", "worker", "--queues", queues, "--concurrency", str(concurrency)]
        + ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", f"{name}@%h"],
        log_dir=log_dir,
    )


def start_beat(*, log_dir: Path) -> subprocess.Popen:
    schedule = log_dir / "celerybeat-schedule"
    return start(
        "beat",
        ["-m", "celery", "--app", "champion_clone", "beat", "--loglevel", "INFO", "--schedule", str(schedule)],
        log_dir=log_dir,
    )


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the process and its children at once, as a crash or the OOM killer would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
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


def short_call(folder: Path) -> Path:
    """The champions tests' short call (an opener, discovery, two objections, a close) as an
    MP4 with a video track, synthesized with espeak-ng."""
    from agents.scripts import load_script
    from agents.testing.synth import encode_recording, synthesize_call
    from champions.tests.conftest import SHORT_CALL_TURN_INDEXES

    script = load_script("saas_helpdesk")
    turns = [script.turns[index] for index in SHORT_CALL_TURN_INDEXES]
    call = synthesize_call([(turn.speaker, turn.text) for turn in turns], folder / "call.wav")
    return Path(encode_recording(call.wav_path, folder / "call.mp4", video=True))
