from django.core.paginator import Paginator
from rest_framework import pagination

# Past this many rows no list has a page: such a number is validated against the count (a 404),
# never sent to the database as an offset (a page number of 18 digits overflows its integers).
_MAX_OFFSET = 10**9


class CountWhenNeededPaginator(Paginator):
    """Fetches a page and one row past it: when that extra row is missing, the page holds the
    list's last rows and the count is known without a COUNT query (issue 13: most lists fit one
    page; the count cost a second query and its compilation on every read)."""

    def page(self, number):
        try:
            index = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        bottom = (index - 1) * self.per_page
        if index < 1 or bottom > _MAX_OFFSET or self.orphans or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if len(rows) > self.per_page:
            return self._get_page(rows[: self.per_page], index, self)
        if not rows and index > 1:
            return super().page(number)  # past the end: EmptyPage, as usual
        self.__dict__["count"] = bottom + len(rows)
        return self._get_page(rows, index, self)


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = CountWhenNeededPaginator
    page_size_query_param = "page_size"
    max_page_size = 100


class SegmentPagination(pagination.LimitOffsetPagination):
    """Pages of a transcript's segments (``?offset=&limit=``): about 1.7 KB each with their
    words, so a default page is some 85 KB however long the call."""

    default_limit = 50
    max_limit = 200
