"""Every SQL statement counted, on every connection of every process (web and workers): an
execute wrapper installed on each connection as it opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from core.metrics.registry import DB_QUERIES


def _counting_wrapper(alias: str) -> Callable[..., Any]:
    counter = DB_QUERIES.labels(alias)

    def count_query(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict) -> Any:
        counter.inc()
        return execute(sql, params, many, context)

    count_query.metrics_counter = True  # type: ignore[attr-defined]
    return count_query


def install(sender: type, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """The same wrapper object survives reconnections: installed once per connection object.
    First in the list, so that a caller's own ``execute_wrapper()`` block, which pops the last
    one when it ends, never takes ours away."""
    if not any(getattr(wrapper, "metrics_counter", False) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.insert(0, _counting_wrapper(connection.alias))


def connect() -> None:
    connection_created.connect(install, dispatch_uid="core.metrics.db.install")
