"""A query run on every request, compiled to SQL once (issue 13).

Building a queryset and compiling it costs Django far more than the database takes to answer a
lookup by primary key: 0.39 ms against 0.07 ms for the caller's user row, on every
authenticated request. A ``PreparedQuery`` compiles its queryset once per database connection
with a placeholder key, then runs that SQL with the real key, applying the ORM's own column
converters, so the rows are what the queryset would give. The database is asked every time:
nothing is cached but the SQL text (a removed member or a deactivated user is seen at once).

Only for querysets whose SQL does not depend on the key's value (an integer key in plain ``=``
lookups, as often as the query needs it, subqueries included). ``rows`` can take a page
(``limit``, ``offset``) and ``count`` counts every row: both reuse the compiled SQL, so a list
paged with ``PreparedRows`` is compiled once too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import JSONField, Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.api.representation import iso_datetime
from core.json_fields import FastJSONField, json_from_db

# The key the SQL is compiled with, found again among the compiled parameters (wherever the query
# uses the key; no query has this odd constant of its own): an integer, as the
# lookups' fields prepare it, positive and within a 32-bit column (Django compiles a value out of
# a field's range to no query at all).
_PLACEHOLDER = 2_147_480_123


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: dict[str, Any]  # by the names of ``sql``'s placeholders
    key_names: tuple[str, ...]  # the placeholders that take the key
    compiler: SQLCompiler
    converters: dict
    names: list[str]
    model_indexes: list[int]  # the model's columns in a row
    annotations: dict[str, int]  # annotation name -> its column in a row
    model: type[Model] | None  # None: rows as tuples (a ``values_list`` queryset)
    related: list  # the ORM's own populators of the select_related instances, as it builds them
    locking: bool  # select_for_update: its SQL ends with FOR UPDATE, after which no LIMIT may come


def _sqlite_utc_datetime(value: Any, expression: Any, connection: Any) -> Any:
    """SQLite's ``convert_datetimefield_value`` when the connection's zone is UTC: the stored
    text read by ``fromisoformat`` (``parse_datetime`` for what it refuses), naive made UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _faster(converter: Callable, connection: Any) -> Callable:
    """The same conversion as ``converter``, by a cheaper function where there is one."""
    owner, name = getattr(converter, "__self__", None), getattr(converter, "__name__", "")
    if name == "from_db_value" and type(owner) in (JSONField, FastJSONField) and owner.decoder is None:
        return json_from_db
    if (
        name == "convert_datetimefield_value"
        and connection.vendor == "sqlite"
        and settings.USE_TZ
        and connection.timezone is UTC
    ):
        return _sqlite_utc_datetime
    return converter


def _sqlite_utc_iso_text(value: Any, expression: Any, connection: Any) -> str | None:
    """What ``iso_datetime`` writes of a stored SQLite datetime, from its text. Django stores
    ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC (``Now()`` writes milliseconds): the ISO text with
    a ``T``, the fraction in microseconds (none when zero, as ``isoformat`` writes it) and a
    ``Z``. Anything else is parsed and written as ``iso_datetime`` writes it."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == " ":
        if len(value) == 19:
            return f"{value[:10]}T{value[11:]}Z"
        fraction = value[20:]
        if value[19] == "." and 0 < len(fraction) <= 6 and fraction.isdigit():
            if fraction.strip("0"):
                return f"{value[:10]}T{value[11:19]}.{fraction.ljust(6, '0')}Z"
            return f"{value[:10]}T{value[11:19]}Z"
    return iso_datetime(_sqlite_utc_datetime(value, expression, connection))


def _as_iso_text(value: Any, expression: Any, connection: Any) -> str | None:
    return iso_datetime(value)


def _sqlite_utc_text(connection: Any) -> bool:
    return (
        connection.vendor == "sqlite"
        and settings.USE_TZ
        and connection.timezone is UTC
        and timezone.get_default_timezone_name() == "UTC"
    )


def _datetimes_as_stored_text(sql: str, compiler: SQLCompiler, connection: Any) -> tuple[str, set[int]]:
    """``sql`` with each plain datetime column of its SELECT list read as ``(column || '')``:
    an expression, so that sqlite3 hands over the stored text instead of parsing it into a
    datetime by the column's declared type. The indexes of the columns so read; a column whose
    text is not found exactly once before the ORDER BY is left as it is."""
    head, by, ordering = sql.rpartition(" ORDER BY ") if compiler.get_order_by() else (sql, "", "")
    rewritten: dict[int, str] = {}
    for index, (column, (column_sql, column_params), alias) in enumerate(compiler.select):
        if column.output_field.get_internal_type() != "DateTimeField" or column_params or not alias:
            continue
        selected = f"{column_sql} AS {connection.ops.quote_name(alias)}"
        if head.count(selected) == 1:
            head = head.replace(selected, f"({column_sql} || '') AS {connection.ops.quote_name(alias)}")
            rewritten[index] = column_sql
    # The ORDER BY names selected columns by position: a rewritten one is named by its column
    # again, so that the database orders by the column (and can walk its index), not the text.
    ordering = re.sub(
        r"(?<![\w\"'.%])(\d+)(?![\w\"'.])", lambda found: rewritten.get(int(found[1]) - 1, found[0]), ordering
    )
    return head + by + ordering, set(rewritten)


def _datetime_text_converters(compiler: SQLCompiler, columns: list, stored_text: set[int]) -> dict:
    """The compiler's converters, with every datetime column's value ending as its ISO text:
    from the stored text where ``stored_text`` has its index, else from the datetime."""
    converters = dict(compiler.get_converters(columns))
    for index, column in enumerate(columns):
        if column.output_field.get_internal_type() != "DateTimeField":
            continue
        functions, expression = converters.get(index, ([], column))
        if index in stored_text:
            converters[index] = ([_sqlite_utc_iso_text], expression)
        else:
            converters[index] = ([*functions, _as_iso_text], expression)
    return converters


def _named_placeholders(sql: str, count: int) -> str:
    """``sql`` with its ``count`` positional placeholders named ``%(p0)s``, ``%(p1)s``, ...
    Run with a dict of parameters, SQLite's backend names them with one ``%`` formatting,
    where positional ones are found by a regular expression run over the whole text: 23 µs
    on the champion list's 2 KB of SQL, on every read. PostgreSQL's driver takes either."""
    numbers = iter(range(count))
    named = re.sub(r"%%|%s", lambda found: found[0] if found[0] == "%%" else f"%(p{next(numbers)})s", sql)
    if next(numbers, None) is not None:
        raise ValueError("The compiled SQL has fewer placeholders than parameters.")
    return named


class PreparedQuery:
    """``build(key)`` returns the queryset; ``rows(key)`` runs it (its SQL compiled once).

    With ``datetimes_as_text``, datetime columns come as the API's ISO 8601 text, exactly what
    ``iso_datetime`` writes of them: for rows that are only rendered (issue 13: parsing SQLite's
    text into a datetime and writing it back out was 2.4 µs a value, 60 values in a list)."""

    def __init__(self, build: Callable[[Any], QuerySet], *, datetimes_as_text: bool = False) -> None:
        self.build = build
        self.datetimes_as_text = datetimes_as_text
        # Per thread: a connection and its compiler belong to the thread that opened them.
        self._local = threading.local()

    def _compiled(self, alias: str) -> _Compiled:
        connection = connections[alias]
        cached = getattr(self._local, "compiled", None)
        if cached is not None and cached[0] is connection:
            return cached[1]
        queryset = self.build(_PLACEHOLDER)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        indexes = tuple(index for index, value in enumerate(params) if value == _PLACEHOLDER)
        if not indexes:
            raise ValueError("A prepared query takes its key as a parameter.")
        if queryset.query.low_mark or queryset.query.high_mark is not None:
            raise ValueError("A prepared query is paged by rows(limit=, offset=), not sliced.")
        columns = [column for column, _, _ in compiler.select]
        stored_text: set[int] = set()
        if self.datetimes_as_text and _sqlite_utc_text(connection):
            sql, stored_text = _datetimes_as_stored_text(sql, compiler, connection)
        found = (
            _datetime_text_converters(compiler, columns, stored_text)
            if self.datetimes_as_text
            else compiler.get_converters(columns)
        )
        converters = {
            index: ([_faster(converter, connection) for converter in functions], expression)
            for index, (functions, expression) in found.items()
        }
        model = None if queryset._fields is not None else queryset.model
        if queryset._prefetch_related_lookups:
            raise ValueError("A prepared query runs one query: it cannot prefetch_related.")
        model_indexes = list(compiler.klass_info["select_fields"]) if model else []
        names = [columns[index].target.attname for index in model_indexes]
        annotations = dict(compiler.annotation_col_map) if model else {}
        compiled = _Compiled(
            sql=_named_placeholders(sql, len(params)),
            params={f"p{index}": value for index, value in enumerate(params)},
            key_names=tuple(f"p{index}" for index in indexes),
            compiler=compiler,
            converters=converters,
            names=names,
            model=model,
            model_indexes=model_indexes,
            annotations=annotations,
            related=get_related_populators(compiler.klass_info, compiler.select, alias) if model else [],
            locking=bool(queryset.query.select_for_update),
        )
        self._local.compiled = (connection, compiled)
        return compiled

    def _params(self, compiled: _Compiled, key: Any) -> dict[str, Any]:
        params = dict(compiled.params)
        for name in compiled.key_names:
            params[name] = key
        return params

    def rows(self, key: Any, *, limit: int | None = None, offset: int = 0, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        """The queryset's rows for ``key`` (``limit`` of them from ``offset`` when given):
        model instances (with their ``select_related`` ones), or tuples for a ``values_list``."""
        compiled = self._compiled(using)
        sql, params = compiled.sql, self._params(compiled, key)
        if limit is None and offset:
            raise ValueError("An offset needs a limit.")
        if limit is not None and compiled.locking:
            raise ValueError("A locking query is not paged: LIMIT cannot follow its FOR UPDATE.")
        if limit is not None:
            sql, params = (
                f"{sql} LIMIT %(limit)s OFFSET %(offset)s",
                {**params, "limit": int(limit), "offset": int(offset)},
            )
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]
        if compiled.model is None:
            return rows
        instances = []
        for row in rows:
            instance = compiled.model.from_db(using, compiled.names, [row[index] for index in compiled.model_indexes])
            for populator in compiled.related:
                populator.populate(row, instance)
            for name, index in compiled.annotations.items():
                setattr(instance, name, row[index])
            instances.append(instance)
        return instances

    def count(self, key: Any, *, using: str = DEFAULT_DB_ALIAS) -> int:
        """How many rows ``rows(key)`` gives."""
        compiled = self._compiled(using)
        # The ORM's own compiled SQL, every value a parameter: nothing of the request is in the text.
        counting = f"SELECT COUNT(*) FROM ({compiled.sql}) AS counted"  # noqa: S608
        with connections[using].cursor() as cursor:
            cursor.execute(counting, self._params(compiled, key))
            return cursor.fetchone()[0]


class _PagedRows:
    """Rows as a paginator takes a list: sliced, each slice one query of that page, each row
    turned by ``shape``; ``count`` asked only when the paginator needs it."""

    def __init__(self, shape: Callable[[Any], Any]) -> None:
        self.shape = shape

    def count(self) -> int:
        raise NotImplementedError

    def _page(self, start: int, limit: int | None) -> list[Any]:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, page: slice) -> list[Any]:
        if not isinstance(page, slice) or page.step is not None:
            raise TypeError(f"{type(self).__name__} are read a page at a time (a slice).")
        start = page.start or 0
        limit = None if page.stop is None else max(0, page.stop - start)
        return [self.shape(row) for row in self._page(start, limit)]


class PreparedRows(_PagedRows):
    """The rows of a ``PreparedQuery`` for one key, a page at a time."""

    ordered = True  # the queryset's own ORDER BY: Django's paginator warns on unordered lists

    def __init__(self, query: PreparedQuery, key: Any, shape: Callable[[Any], Any] = lambda row: row) -> None:
        super().__init__(shape)
        self.query, self.key = query, key

    def count(self) -> int:
        return self.query.count(self.key)

    def _page(self, start: int, limit: int | None) -> list[Any]:
        return self.query.rows(self.key, limit=limit, offset=start)


class ShapedRows(_PagedRows):
    """A queryset's rows a page at a time: the same rows as ``PreparedRows`` for the lists
    whose filters change their SQL."""

    def __init__(self, queryset: QuerySet, shape: Callable[[Any], Any]) -> None:
        super().__init__(shape)
        self.queryset, self.ordered = queryset, queryset.ordered

    def count(self) -> int:
        return self.queryset.count()

    def _page(self, start: int, limit: int | None) -> list[Any]:
        return list(self.queryset[start : None if limit is None else start + limit])
