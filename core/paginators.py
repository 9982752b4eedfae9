"""A changelist paginator that does not COUNT(*) a big table on every page.

Unfiltered, PostgreSQL's planner estimate (pg_class.reltuples) gives the page count for
tables past ESTIMATE_ABOVE rows; filtered lists, small tables and other databases count
exactly (SQLite counts 100,000 rows in a few milliseconds).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connections[self.object_list.db].vendor == "postgresql":
            with connections[self.object_list.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [self.object_list.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] and row[0] > ESTIMATE_ABOVE:
                return int(row[0])
        return super().count
