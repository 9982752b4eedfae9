from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.test import override_settings
from rest_framework import serializers

from core.api.representation import iso_datetime

MOMENTS = [
    datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
    datetime(2026, 12, 2, 9, 30, 5, 120034, tzinfo=UTC),
    datetime(2026, 7, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_iso_datetime_writes_what_drfs_datetime_field_writes(zone):
    with override_settings(TIME_ZONE=zone):
        for moment in MOMENTS:
            assert iso_datetime(moment) == serializers.DateTimeField().to_representation(moment)
    assert iso_datetime(None) is None
    assert iso_datetime(MOMENTS[0]) == "2026-12-02T09:30:00Z"
