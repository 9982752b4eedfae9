"""Output serializers for hot read paths (issue 13): the declared fields document the shape
(drf-spectacular reads them), and ``represent`` builds the same dict by hand.

DRF binds and deep-copies every declared field on each serializer instance and walks them per
row; on ``/auth/me`` and the lists that was most of the request's time. A ``RowSerializer``
never builds its fields at run time: ``to_representation`` calls ``represent``. Each one's
test compares ``represent`` with DRF's own field-by-field output (``drf_representation``), so
the schema and the body cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers


def iso_datetime(value: datetime | str | None) -> str | None:
    """What ``serializers.DateTimeField`` writes: ISO 8601 in ``TIME_ZONE``, ``Z`` for UTC.

    DRF converts to the current time zone, which is ``TIME_ZONE`` here since nothing activates
    another; reading it is a context-local lookup per value, which was a tenth of a 20-row
    list's time (issue 13), while the default zone is cached."""
    if value is None or isinstance(value, str):
        return value  # a str is that text already (``core.prepared``, ``datetimes_as_text``)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.get_default_timezone())
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# A read-only serializer whose body ``represent`` builds without DRF's fields. (A comment, not
# a docstring: drf-spectacular would give every subclass without one this description.)
class RowSerializer(serializers.Serializer):
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Output only: the schema marks every field readOnly, as a ModelSerializer's were.
        # A field is deep-copied from its constructor's arguments: mark those too.
        for field in cls._declared_fields.values():
            field.read_only, field.required = True, False
            field._kwargs = {**{k: v for k, v in field._kwargs.items() if k != "required"}, "read_only": True}

    def represent(self, instance: Any) -> dict[str, Any]:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return self.represent(instance)


def drf_representation(serializer: serializers.Serializer, instance: Any) -> dict[str, Any]:
    """The body DRF would build from ``serializer``'s declared fields (for the tests)."""
    return dict(serializers.Serializer.to_representation(serializer, instance))
