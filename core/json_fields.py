"""JSON read from the database by orjson, for the large documents read on requests (issue 13).

A two-hour call's transcript is 1.5 MB of JSON: ``json`` takes 15 ms to parse it and orjson 9,
on every page of the transcript and every pipeline step that reads it. The values are the same:
what orjson refuses (NaN, Infinity, lone surrogates) goes to ``json``, and text that is not JSON
comes back as it is, as ``JSONField`` gives it. One exception: an integer past 64 bits comes
back as a float (orjson reads it so, and no check for one is cheaper than the parse), which the
app's documents never hold: their numbers are timings, scores and counts."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.db import models


def json_from_db(value: Any, expression: Any = None, connection: Any = None) -> Any:
    """``JSONField.from_db_value`` without a custom decoder, parsed by orjson."""
    if not isinstance(value, str | bytes):
        return value  # None, or a key transform's value SQLite already gave in its own type
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        try:  # what orjson refuses and json reads (NaN and Infinity)
            return json.loads(value)
        except json.JSONDecodeError:
            return value


class FastJSONField(models.JSONField):
    """A ``JSONField`` whose stored text is parsed by orjson (:func:`json_from_db`); written as
    ``JSONField`` writes it. With a custom ``decoder``, the decoder parses."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if self.decoder is not None:
            return super().from_db_value(value, expression, connection)
        return json_from_db(value)
