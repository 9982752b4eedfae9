"""Changelist pieces for tables of millions of rows (the activity log): the filters' choices and
the date drill-down read the indexes instead of scanning the table.

Django's own versions ask ``SELECT DISTINCT`` of the whole table for every filter's choices and
for the date hierarchy's years or months on every render: 170-360 ms each on 1,000,000 rows
(README.md, "Benchmarks and evaluations"). Here a column's values are a loose index scan (one
index probe per distinct value), and the periods of the drill-down are those between the first
and the last row (two index probes), a month without a row showing as an empty page. A filtered
page is counted by the planner's estimate when that is past ``ESTIMATE_ABOVE`` rows, as the whole
table already is (``core.paginators``): a filter that keeps half a million rows would COUNT them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Max, Min
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property

from core.paginators import ESTIMATE_ABOVE, EstimatedCountPaginator


def distinct_values(model: type[models.Model], field_name: str, *, using: str = "default") -> list[str]:
    """The column's distinct values, in order, by a recursive query that jumps from one value to
    the next through the column's index (PostgreSQL and SQLite alike)."""
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    sql = (
        f"WITH RECURSIVE walk(value) AS ("  # noqa: S608 (names from the model, quoted)
        f"SELECT MIN({column}) FROM {table} "
        f"UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > walk.value) "
        f"FROM walk WHERE walk.value IS NOT NULL"
        f") SELECT value FROM walk WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class IndexedValuesFilter(admin.SimpleListFilter):
    """A filter on every value a column holds, found through its index (the column needs one
    that starts with it). Subclasses name ``field_name``; the URL parameter is the field's."""

    field_name: str

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.parameter_name = cls.field_name
        cls.title = cls.field_name.replace("_", " ")

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(value, value or "(none)") for value in distinct_values(model_admin.model, self.field_name)]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.field_name: self.value()})


class FilteredEstimatePaginator(EstimatedCountPaginator):
    """Filtered lists on PostgreSQL: the planner's row estimate for the filtered query (one
    EXPLAIN, no rows read) when it is past ``ESTIMATE_ABOVE``; an exact count below it."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or not query.where or connections[self.object_list.db].vendor != "postgresql":
            return super().count
        sql, params = self.object_list.order_by().values("pk").query.sql_with_params()
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        return estimate if estimate > ESTIMATE_ABOVE else Paginator.count.func(self)


class RangeDatesQuerySet(models.QuerySet):
    """``datetimes()`` from the first and last row (what the date hierarchy lists) instead of a
    ``DISTINCT`` over every row: only the changelist's queryset is of this class."""

    def datetimes(self, field_name: str, kind: str, order: str = "ASC", tzinfo=None) -> list[datetime]:
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        zone = tzinfo or timezone.get_current_timezone()
        first, last = timezone.localtime(bounds["first"], zone), timezone.localtime(bounds["last"], zone)
        periods = list(_periods(first, last, kind))
        return periods if order == "ASC" else periods[::-1]


def _periods(first: datetime, last: datetime, kind: str):
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind in ("year", "month"):
        day = day.replace(day=1)
    if kind == "year":
        day = day.replace(month=1)
    while day <= last:
        yield day
        if kind == "day":
            day = (day + timedelta(days=1)).replace(hour=0)
        elif kind == "month":
            day = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
        else:
            day = day.replace(year=day.year + 1)
