"""``FastJSONField`` reads what ``JSONField`` reads, through orjson."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.models import JSONField

from champions.models import ChampionTranscript
from champions.tests.factories import ChampionFactory
from champions.transcripts import store_transcript_document
from core.json_fields import FastJSONField

ODD_TEXTS = [
    '{"a": [1, 2.5, null], "b": "\\u00e9"}',
    "[]",
    '"text"',
    "NaN",
    '{"x": Infinity}',
    '{"s": "\\ud800"}',
    "not json",
    None,
]


@pytest.mark.parametrize("stored", ODD_TEXTS)
def test_it_reads_what_jsonfield_reads(stored):
    expected = JSONField().from_db_value(stored, None, connection)
    got = FastJSONField().from_db_value(stored, None, connection)
    assert got == expected or (got != got and expected != expected)  # NaN is not equal to itself
    assert type(got) is type(expected)


def test_an_integer_past_64_bits_comes_back_as_a_float():
    # The one difference from JSONField (core.json_fields): none of the app's documents holds one.
    assert FastJSONField().from_db_value('{"big": 123456789012345678901234567890}', None, connection) == {
        "big": 1.2345678901234568e29
    }


def test_a_custom_decoder_still_decodes():
    class Tagged(json.JSONDecoder):
        def decode(self, text, *args, **kwargs):
            return {"decoded": super().decode(text, *args, **kwargs)}

    assert FastJSONField(decoder=Tagged).from_db_value('{"a": 1}', None, connection) == {"decoded": {"a": 1}}


@pytest.mark.django_db
def test_the_stored_transcript_comes_back_as_written():
    champion = ChampionFactory()
    data = {
        "text": "Bonjour à tous",
        "language": "en",
        "duration": 12.5,
        "segments": [{"text": "Bonjour à tous", "words": [{"w": "x", "s": 0.1}]}],
    }
    store_transcript_document(champion.pk, data)
    assert ChampionTranscript.data_of(champion.pk) == data
    assert ChampionTranscript.objects.filter(data__language="en").count() == 1  # lookups unchanged
    assert list(ChampionTranscript.objects.values_list("data__duration", flat=True)) == [12.5]
