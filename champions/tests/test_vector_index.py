"""Both vector indexes; the Qdrant one against qdrant-client's local mode (the same client
API as a server)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from qdrant_client import QdrantClient

from champions.models import ChampionPattern
from champions.tests.factories import PatternFactory, ReadyChampionFactory
from champions.vector_index import (
    DatabaseVectorIndex,
    IndexedPattern,
    QdrantVectorIndex,
    _qdrant_index,
    index_items_for,
)

pytestmark = pytest.mark.django_db


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return vector / np.linalg.norm(vector)


def champion_with_vectors(count: int = 4):
    champion = ReadyChampionFactory()
    for i in range(count):
        PatternFactory(
            champion=champion, position=i, category="objection" if i % 2 else "closing", embedding=unit(i).tobytes()
        )
    return champion


@pytest.fixture
def qdrant_index() -> QdrantVectorIndex:
    return QdrantVectorIndex(QdrantClient(location=":memory:"), "test_patterns")


def test_qdrant_points_mirror_the_champions_stored_vectors(qdrant_index):
    mine, other = champion_with_vectors(), champion_with_vectors()
    qdrant_index.replace_champion(mine.pk, index_items_for(mine.pk))
    qdrant_index.replace_champion(other.pk, index_items_for(other.pk))
    points, _ = qdrant_index.client.scroll("test_patterns", limit=100, with_vectors=True)
    mirrored = {point.id: point for point in points if point.payload["champion_id"] == mine.pk}
    for pattern in ChampionPattern.objects.filter(champion=mine):
        point = mirrored[pattern.pk]
        assert point.payload == {"champion_id": mine.pk, "pattern_id": pattern.pk, "category": pattern.category}
        assert np.allclose(point.vector, pattern.vector, atol=1e-5)
    assert len(mirrored) == 4 and qdrant_index.count(other.pk) == 4


def test_the_database_index_is_the_rows_themselves():
    champion = champion_with_vectors(3)
    PatternFactory(champion=champion, position=3)  # not embedded yet
    index = DatabaseVectorIndex()
    index.replace_champion(champion.pk, index_items_for(champion.pk))
    assert index.count(champion.pk) == 3
    assert [item.pattern_id for item in index_items_for(champion.pk)] == list(
        ChampionPattern.objects.filter(champion=champion, embedding__isnull=False).values_list("id", flat=True)
    )


def test_qdrant_replace_is_idempotent_and_delete_removes_the_points(qdrant_index):
    champion = champion_with_vectors(6)
    items = index_items_for(champion.pk)
    qdrant_index.replace_champion(champion.pk, items)
    qdrant_index.replace_champion(champion.pk, items)
    assert qdrant_index.count(champion.pk) == 6
    qdrant_index.replace_champion(champion.pk, items[:2])  # a re-analysis with fewer patterns
    assert qdrant_index.count(champion.pk) == 2
    qdrant_index.delete_champion(champion.pk)
    assert qdrant_index.count(champion.pk) == 0


def test_qdrant_collection_has_a_payload_index_on_champion_id(qdrant_index):
    qdrant_index.replace_champion(1, [IndexedPattern(pattern_id=1, champion_id=1, category="opener", vector=unit(1))])
    info = qdrant_index.client.get_collection("test_patterns")
    assert info.config.params.vectors.size == 384
    # Local mode accepts payload indexes but does not report them; a server lists them here.
    assert qdrant_index.count(1) == 1


def test_rebuild_command_restores_every_point_from_the_database(settings):
    settings.QDRANT_URL = ":memory:"
    _qdrant_index.cache_clear()
    first, second = champion_with_vectors(3), champion_with_vectors(5)
    call_command("rebuild_vector_index", verbosity=0)
    index = _qdrant_index(":memory:", "", settings.QDRANT_COLLECTION)
    assert index.count(first.pk) == 3 and index.count(second.pk) == 5
    _qdrant_index.cache_clear()
