"""The vector store: a copy of the champions' pattern embeddings, kept in step with the database.

The database is the source of truth (``ChampionPattern.embedding``) and what the application
reads: the judge takes one champion's vectors whole from it (``selectors.champion_playbook``),
since a champion has tens to a few hundred patterns and scoring a reply against all of them
is exact and fast. The store mirrors those vectors for search at a scale the database is not
built for (across champions, from other services): the pipeline replaces a champion's points
after embedding, ``champion_delete`` removes them, ``rebuild_vector_index`` rebuilds it all.

* ``DatabaseVectorIndex`` (embedded default): no copy, the rows are the store.
* ``QdrantVectorIndex`` when ``QDRANT_URL`` is set: points carry champion id, pattern id and
  category, with a payload index on champion id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
from django.conf import settings

from champions.models import EMBEDDING_DIMENSIONS, ChampionPattern


@dataclass(frozen=True)
class IndexedPattern:
    pattern_id: int
    champion_id: int
    category: str
    vector: np.ndarray


class VectorIndex(Protocol):
    name: str

    def replace_champion(self, champion_id: int, items: Sequence[IndexedPattern]) -> None: ...

    def delete_champion(self, champion_id: int) -> None: ...

    def count(self, champion_id: int) -> int: ...

    def check(self) -> str: ...


class DatabaseVectorIndex:
    name = "database"

    def replace_champion(self, champion_id: int, items: Sequence[IndexedPattern]) -> None:
        # The vectors are already stored with the patterns: nothing else to write.
        return None

    def delete_champion(self, champion_id: int) -> None:
        return None  # deleting the patterns deleted the vectors

    def count(self, champion_id: int) -> int:
        return ChampionPattern.objects.filter(champion_id=champion_id, embedding__isnull=False, hidden=False).count()

    def check(self) -> str:
        ChampionPattern.objects.exists()
        return "database (exact search)"


class QdrantVectorIndex:
    name = "qdrant"

    def __init__(self, client, collection: str | None = None) -> None:
        self.client = client
        self.collection = collection or settings.QDRANT_COLLECTION
        self._ready = False

    def _ensure_collection(self) -> None:
        if self._ready:
            return
        from qdrant_client import models

        if not self.client.collection_exists(self.collection):
            self.client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(size=EMBEDDING_DIMENSIONS, distance=models.Distance.COSINE),
            )
            self.client.create_payload_index(
                self.collection, field_name="champion_id", field_schema=models.PayloadSchemaType.INTEGER
            )
        self._ready = True

    def _champion_filter(self, champion_id: int):
        from qdrant_client import models

        return models.Filter(
            must=[models.FieldCondition(key="champion_id", match=models.MatchValue(value=champion_id))]
        )

    def replace_champion(self, champion_id: int, items: Sequence[IndexedPattern]) -> None:
        from qdrant_client import models

        self.delete_champion(champion_id)
        if not items:
            return
        self.client.upsert(
            self.collection,
            points=[
                models.PointStruct(
                    id=item.pattern_id,
                    vector=np.asarray(item.vector, dtype=np.float32).tolist(),
                    payload={"champion_id": item.champion_id, "pattern_id": item.pattern_id, "category": item.category},
                )
                for item in items
            ],
            wait=True,
        )

    def delete_champion(self, champion_id: int) -> None:
        from qdrant_client import models

        self._ensure_collection()
        self.client.delete(
            self.collection,
            points_selector=models.FilterSelector(filter=self._champion_filter(champion_id)),
            wait=True,
        )

    def count(self, champion_id: int) -> int:
        self._ensure_collection()
        return self.client.count(self.collection, count_filter=self._champion_filter(champion_id), exact=True).count

    def check(self) -> str:
        self.client.get_collections()
        return "qdrant"


@lru_cache(maxsize=1)
def _qdrant_index(url: str, api_key: str, collection: str) -> QdrantVectorIndex:
    from qdrant_client import QdrantClient

    if url == ":memory:" or url.startswith("path:"):
        # qdrant-client's local mode (same client API as a server), for tests and one-process
        # tools; it locks its folder, so the web and worker processes cannot share it.
        client = QdrantClient(location=":memory:") if url == ":memory:" else QdrantClient(path=url[len("path:") :])
    else:
        client = QdrantClient(url=url, api_key=api_key or None, timeout=int(settings.VENDOR_TIMEOUT_SECONDS))
    return QdrantVectorIndex(client, collection)


def get_vector_index() -> VectorIndex:
    if settings.QDRANT_URL:
        return _qdrant_index(settings.QDRANT_URL, settings.QDRANT_API_KEY, settings.QDRANT_COLLECTION)
    return DatabaseVectorIndex()


def index_items_for(champion_id: int) -> list[IndexedPattern]:
    """The champion's points: its patterns in use (a hidden one is never searched either)."""
    return [
        IndexedPattern(pattern_id=pattern.pk, champion_id=champion_id, category=pattern.category, vector=pattern.vector)
        for pattern in ChampionPattern.objects.filter(champion_id=champion_id, embedding__isnull=False, hidden=False)
    ]


def check_vector_store() -> str:
    return get_vector_index().check()
