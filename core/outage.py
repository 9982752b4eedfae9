"""When a backing store is out (the database restarting, the media disk full), requests get a
clear 503 or 507 in the API's error shape (``core.api.exceptions``) rather than a 500 with a
stack trace, and what records errors for staff does not try to write them to the database that
is down, nor log one stack trace per request.

A DB-API ``OperationalError`` or ``InterfaceError`` is what a lost or refused connection
raises (psycopg: "connection refused", "server closed the connection", "the database system
is shutting down"), and also a lock or statement timeout or a deadlock: all of them are worth
trying again, so all are answered 503 with ``Retry-After``. With ``CONN_HEALTH_CHECKS`` the
next request after the database is back opens a fresh connection by itself.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from django.db import InterfaceError, OperationalError

from core.errors import InsufficientStorage

logger = structlog.get_logger(__name__)

DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client is asked to wait: a restart of PostgreSQL takes a few.
DATABASE_RETRY_AFTER_SECONDS = 5
# One warning per process this often, with the count of the requests it stands for.
OUTAGE_LOG_INTERVAL_SECONDS = 10.0
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_database_unavailable(exc: BaseException | None) -> bool:
    """``exc``, or the error it was raised from, is a database error that trying again may
    cure (only an explicit ``raise ... from``: an error raised while handling one is not)."""
    for _ in range(5):
        if exc is None:
            return False
        if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
            return True
        exc = exc.__cause__
    return False


class _ThrottledWarning:
    """A warning logged at most once per interval per process; the others are counted and
    reported with the next one."""

    def __init__(self, event: str, interval: float) -> None:
        self.event, self.interval = event, interval
        self.lock = threading.Lock()
        self.last_logged = float("-inf")
        self.suppressed = 0

    def __call__(self, exc: BaseException, **context: object) -> bool:
        with self.lock:
            now = time.monotonic()
            if now - self.last_logged < self.interval:
                self.suppressed += 1
                return False
            suppressed, self.suppressed, self.last_logged = self.suppressed, 0, now
        logger.warning(self.event, error=f"{type(exc).__name__}: {exc}"[:300], suppressed=suppressed, **context)
        return True


database_outage_warning = _ThrottledWarning("database_unavailable", OUTAGE_LOG_INTERVAL_SECONDS)


class DatabaseOutageLogFilter(logging.Filter):
    """On ``django.request``: drops the "Service Unavailable" record, with its stack trace,
    that Django logs for each request the database outage answered 503;
    ``database_outage_warning`` has said it once already."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and is_database_unavailable(record.exc_info[1]))


@contextmanager
def disk_full_as_insufficient_storage(what: str) -> Iterator[None]:
    """Turns "no space left on device" (or over quota) while writing ``what`` into the domain
    error the API answers 507; every other OSError stays what it is."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_FULL_ERRNOS:
            raise
        raise InsufficientStorage(f"The server has no room left to store {what}. Try again later.") from exc
