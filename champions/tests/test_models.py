"""The one mapping each between rows and the engines' data: patterns, vectors, transcripts,
categories and the embedding size."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from agents.providers.embeddings import EMBEDDING_DIMENSION
from agents.reasoning.categories import CATEGORIES, CATEGORY_LABELS
from agents.types import Pattern, Segment, Transcript, Word, transcript_from_dict, transcript_to_dict
from champions.models import (
    EMBEDDING_DIMENSIONS,
    ChampionPattern,
    ChampionTranscript,
    ChampionTranscriptBlock,
    PatternCategory,
    embedding_blob,
    embedding_matrix,
)
from champions.tests.factories import ChampionFactory, unit_vector
from champions.transcripts import store_transcript

pytestmark = pytest.mark.django_db


def test_a_pattern_survives_the_round_trip_through_its_row():
    champion = ChampionFactory()
    pattern = Pattern(
        category="objection_response",
        text="Let us look at the cost of slow replies.",
        start=12.34567,
        end=15.0,
        speaker="champion",
        confidence=0.876543,
        responds_to="It is too expensive.",
    )
    row = ChampionPattern.from_pattern(pattern, champion=champion, position=0)
    row.save()
    back = ChampionPattern.objects.get(pk=row.pk).as_pattern()
    assert back == replace(pattern, start=12.346, confidence=0.8765)  # rounded as stored


def test_a_pattern_without_speaker_or_objection_is_stored_blank_and_read_back_as_none():
    row = ChampionPattern.from_pattern(
        Pattern(category="opener", text="Hi.", start=0.0, end=1.0), champion=ChampionFactory(), position=0
    )
    assert (row.speaker, row.responds_to) == ("", "")
    assert (row.as_pattern().speaker, row.as_pattern().responds_to) == (None, None)


def test_vectors_survive_the_round_trip_through_their_blobs():
    vectors = [unit_vector(seed) for seed in range(3)]
    matrix = embedding_matrix([memoryview(embedding_blob(vector)) for vector in vectors])
    assert matrix.shape == (3, EMBEDDING_DIMENSIONS) and matrix.dtype == np.float32
    assert np.array_equal(matrix, np.stack(vectors))
    assert embedding_matrix([]).shape == (0, EMBEDDING_DIMENSIONS)
    row = ChampionPattern(embedding=embedding_blob(vectors[1]))
    assert np.array_equal(row.vector, vectors[1])
    assert ChampionPattern(embedding=None).vector is None


def test_the_embedding_size_is_the_embedders():
    assert EMBEDDING_DIMENSIONS == EMBEDDING_DIMENSION


def test_the_pattern_categories_are_the_engines_with_their_labels():
    assert PatternCategory.values == list(CATEGORIES)
    assert [label.lower() for label in PatternCategory.labels] == [CATEGORY_LABELS[c] for c in CATEGORIES]


def test_the_transcript_is_parsed_once_and_kept_in_step_when_replaced():
    spoken = Transcript(
        text="Hello there.",
        language="en",
        duration=2.0,
        segments=[Segment(id=0, start=0.0, end=2.0, text="Hello there.", words=[Word("Hello", 0.0, 0.5)])],
    )
    champion = ChampionFactory(transcript=transcript_to_dict(spoken))
    assert champion.parsed_transcript == spoken
    assert champion.parsed_transcript is champion.parsed_transcript
    replaced = Transcript(text="Bye.", language="en", duration=1.0, segments=[])
    champion.set_transcript(replaced)
    assert champion.parsed_transcript is replaced


def test_a_stored_transcript_is_split_into_blocks_and_comes_back_whole():
    segments = [
        Segment(id=i, start=float(i), end=i + 0.5, text=f"s{i}", words=[Word("s", i, i + 0.5)]) for i in range(120)
    ]
    spoken = Transcript(text="all of it", language="fr", duration=120.0, segments=segments)
    champion = ChampionFactory()
    store_transcript(champion.pk, spoken)
    assert list(
        ChampionTranscriptBlock.objects.filter(transcript_id=champion.pk).values_list("first_segment", flat=True)
    ) == [0, 50, 100]
    record = ChampionTranscript.objects.get(pk=champion.pk)
    assert (record.data, record.text) == ({"language": "fr", "duration": 120.0, "segment_count": 120}, "all of it")
    assert ChampionTranscript.data_of(champion.pk) == transcript_to_dict(spoken)
    assert transcript_from_dict(ChampionTranscript.data_of(champion.pk)) == spoken


def test_a_transcript_stored_again_leaves_no_block_of_the_one_before():
    champion = ChampionFactory()
    long = Transcript(
        text="", language="en", duration=1.0, segments=[Segment(id=i, start=0.0, end=1.0, text="x") for i in range(75)]
    )
    store_transcript(champion.pk, long)
    short = Transcript(text="", language="en", duration=1.0, segments=[Segment(id=0, start=0.0, end=1.0, text="y")])
    store_transcript(champion.pk, short)
    assert ChampionTranscriptBlock.objects.filter(transcript_id=champion.pk).count() == 1
    assert ChampionTranscript.data_of(champion.pk)["segments"] == transcript_to_dict(short)["segments"]
    assert ChampionTranscript.data_of(999_999) == {}
