"""The parts of the settings that are decisions rather than values: how the database and the
Celery broker are set up for the embedded default and for production. ``settings.py`` reads
the environment and calls these; they read nothing themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Redis redelivers an unacknowledged task after this long; the task time limits stay below it.
REDIS_VISIBILITY_TIMEOUT_SECONDS = 3 * 3600


def database(config: dict[str, Any], *, test_sqlite_path: Path, conn_max_age: int) -> dict[str, Any]:
    if config["ENGINE"] != "django.db.backends.sqlite3":
        return {**config, "CONN_MAX_AGE": conn_max_age, "CONN_HEALTH_CHECKS": True}
    options = {
        **config.get("OPTIONS", {}),
        # WAL and a busy timeout let the web server and the Celery worker share the file.
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # SQLite has no row locks (select_for_update is a no-op): IMMEDIATE transactions
        # take the write lock at BEGIN, so concurrent turns of one session still serialize.
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not ":memory:", so that a real worker process started by a test sees the test
    # data; one per test run (the caller names it), so that two runs at once never share one.
    return {**config, "OPTIONS": options, "TEST": {"NAME": str(test_sqlite_path)}}


def celery_broker(redis_url: str, *, broker_dir: Path, polling_interval: float) -> tuple[str, dict[str, Any]]:
    """Redis when configured; otherwise kombu's filesystem transport, a broker with no server."""
    if redis_url:
        return redis_url, {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
    return "filesystem://", {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "control_folder": str(broker_dir / "control"),
        "store_processed": False,
        "polling_interval": polling_interval,
    }


def check_production(*, secret_key: str, allowed_hosts: list[str]) -> None:
    """With DEBUG off, start-up stops rather than run with a missing secret or any host."""
    missing = [name for name, value in (("SECRET_KEY", secret_key), ("ALLOWED_HOSTS", allowed_hosts)) if not value]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is false, so {' and '.join(missing)} must be set in the environment "
            "(see README.md, 'Configuration')."
        )
    if "*" in allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS='*' is refused in production; list the real host names.")
