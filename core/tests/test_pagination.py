from __future__ import annotations

import pytest
from django.core.paginator import InvalidPage

from core.api.pagination import CountWhenNeededPaginator


class CountedRows(list):
    """A list that tells how often it was counted, as a queryset's COUNT would be run."""

    counted = 0

    def count(self) -> int:
        self.counted += 1
        return len(self)


@pytest.mark.parametrize(("rows", "number", "shown", "counted"), [(0, 1, 0, 0), (20, 1, 20, 0), (7, 2, 2, 0)])
def test_a_page_with_the_last_rows_needs_no_count(rows, number, shown, counted):
    items = CountedRows(range(rows))
    page = CountWhenNeededPaginator(items, 5 if number == 2 else 20).page(number)
    assert (len(page), page.paginator.count, items.counted, page.has_next()) == (shown, rows, counted, False)


def test_a_page_with_rows_after_it_counts_them():
    items = CountedRows(range(25))
    page = CountWhenNeededPaginator(items, 20).page("1")
    assert (list(page), page.has_next(), page.paginator.count, items.counted) == (list(range(20)), True, 25, 1)


@pytest.mark.parametrize("number", [3, "0", "x"])
def test_a_page_past_the_end_or_not_a_number_is_refused_as_before(number):
    with pytest.raises(InvalidPage):
        CountWhenNeededPaginator(CountedRows(range(25)), 20).page(number)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/champions", "/teams", "/training/sessions", "/assignments"])
@pytest.mark.parametrize("page", ["576460752303423489", "677809919395167068005335040000"])
def test_a_page_number_past_any_list_is_a_404_never_an_offset_for_the_database(api_client, path, page):
    # schemathesis found these: the offset overflowed PostgreSQL's integers (a 500).
    response = api_client.get(path, {"page": page, "page_size": 20})

    assert response.status_code == 404, response.content[:200]
    assert response.json()["code"] == "not_found"
