"""The parts of the settings that are decisions rather than values: how the database and the
Celery broker are set up for the embedded default and for production. ``settings.py`` reads
the environment and calls these; they read nothing themselves."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from champion_clone import broker

# Redis redelivers an unacknowledged task after this long; the task time limits stay below it.
REDIS_VISIBILITY_TIMEOUT_SECONDS = 3 * 3600


DATABASE_CONNECT_TIMEOUT_SECONDS = 5


def database(config: dict[str, Any], *, test_sqlite_path: Path, conn_max_age: int) -> dict[str, Any]:
    if config["ENGINE"] != "django.db.backends.sqlite3":
        # A database host that does not answer fails a request in seconds (a 503, core.outage)
        # instead of holding a worker for the OS's TCP timeout; DATABASE_URL's own
        # ?connect_timeout= wins. The health check replaces a connection the restart broke.
        options = {"connect_timeout": DATABASE_CONNECT_TIMEOUT_SECONDS, **config.get("OPTIONS", {})}
        return {**config, "OPTIONS": options, "CONN_MAX_AGE": conn_max_age, "CONN_HEALTH_CHECKS": True}
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
    # Persistent too: a new connection per request ran the PRAGMAs and recompiled every
    # prepared read (core.prepared), which cost a served request more than the view's own work.
    return {**config, "OPTIONS": options, "CONN_MAX_AGE": conn_max_age, "TEST": {"NAME": str(test_sqlite_path)}}


# The embedded default's local-memory cache holds the rate-limit and lock-out counters. Django's
# default (300 entries, a third dropped when full) let an attacker wipe a victim's login-failure
# count with 400 junk requests; this many entries take days of requests from one address to
# fill, in tens of megabytes. Production uses Redis, which must not evict them (README).
LOCAL_CACHE_MAX_ENTRIES = 200_000


def caches(redis_url: str) -> dict[str, Any]:
    """Redis when configured, else a per-process cache; either counts its hits and misses
    (``core.metrics.cache``: the same backends, measured)."""
    if redis_url:
        return {"default": {"BACKEND": "core.metrics.cache.RedisCache", "LOCATION": redis_url}}
    return {
        "default": {
            "BACKEND": "core.metrics.cache.LocMemCache",
            "LOCATION": "champion-clone",
            "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_MAX_ENTRIES},
        }
    }


def celery_broker(redis_url: str, *, broker_dir: Path, polling_interval: float) -> tuple[str, dict[str, Any]]:
    """Redis when configured; otherwise kombu's filesystem transport, a broker with no server
    (with atomic writes: ``champion_clone.broker``)."""
    if redis_url:
        return redis_url, {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
    return f"{broker.SCHEME}://", {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "control_folder": str(broker_dir / "control"),
        "store_processed": False,
        "polling_interval": polling_interval,
    }


DEVELOPMENT_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]


def secret_key(configured: str, *, debug: bool, key_file: Path) -> str:
    """``SECRET_KEY`` from the environment; with DEBUG on and none given, a random key made on
    first start and kept in ``key_file`` (under ``var/``, never committed), so that sessions
    and tokens survive restarts and no two installs share a key. With DEBUG off and none
    given, start-up stops."""
    if configured:
        return configured
    if not debug:
        raise ImproperlyConfigured(
            "DEBUG is false, so SECRET_KEY must be set in the environment (see README.md, 'Configuration')."
        )
    try:
        return key_file.read_text().strip() or _new_key_file(key_file, replace=True)
    except FileNotFoundError:
        return _new_key_file(key_file, replace=False)


def _new_key_file(key_file: Path, *, replace: bool) -> str:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    try:
        descriptor = os.open(key_file, flags, 0o600)
    except FileExistsError:
        # The web server and the worker started at once: the other one wrote it first.
        return key_file.read_text().strip()
    with os.fdopen(descriptor, "w") as out:
        out.write(key)
    return key


def check_production(*, allowed_hosts: list[str]) -> None:
    """With DEBUG off, start-up stops rather than answer for any host."""
    if not allowed_hosts:
        raise ImproperlyConfigured(
            "DEBUG is false, so ALLOWED_HOSTS must be set in the environment (see README.md, 'Configuration')."
        )
    if "*" in allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS='*' is refused in production; list the real host names.")


# drf-spectacular: the OpenAPI schema at /api/schema/ (README.md, "API").
SPECTACULAR_SETTINGS = {
    "TITLE": "Champion Clone API",
    "DESCRIPTION": "Turn a recording of your best sales rep into a practice partner for everyone else.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ChampionStatusEnum": "champions.models.Champion.Status",
        "TrainingSessionStatusEnum": "training.models.TrainingSession.Status",
        "EvaluationDisputeStatusEnum": "training.models.EvaluationDispute.Status",
        "AssignmentStatusEnum": "training.models.AssignmentAssignee.Status",
        "TeamRoleEnum": "teams.models.Role",
        "HealthStatusEnum": ["ok", "degraded"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.strip_trailing_slashes",
    ],
}
