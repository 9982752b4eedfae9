"""Retry-After as seconds: delta-seconds or an HTTP date, capped; anything else is absent."""

from __future__ import annotations

import pytest

from agents.http import RETRY_AFTER_MAX_SECONDS, retry_after_seconds

NOW = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT


def test_delta_seconds_are_taken_as_they_are_up_to_the_cap() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(" 0 ") == 0.0
    assert retry_after_seconds("45", cap=30.0) == 30.0
    assert retry_after_seconds("9" * 30) == RETRY_AFTER_MAX_SECONDS == 7 * 24 * 3600


def test_an_http_date_is_the_time_left_until_it_never_negative() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:29:00 GMT", now=NOW) == 60.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", now=NOW) == 0.0
    assert retry_after_seconds("Wed, 21 Oct 2015 08:28:00 GMT", now=NOW, cap=30.0) == 30.0


@pytest.mark.parametrize(
    "value",
    [None, "", "soon", "1.5", "-1", "²", "Wed, 21 Oct 2015 07:29:00 -0000", "Wed, 99 Foo 2015 07:29:00 GMT"],
)
def test_anything_else_counts_as_absent(value: str | None) -> None:
    assert retry_after_seconds(value, now=NOW) is None
