"""``python manage.py rebuild_vector_index``: rebuild the vector store from the database,
the source of truth (after restoring a backup, or moving to a new Qdrant cluster)."""

from __future__ import annotations

from champions.models import Champion
from champions.vector_index import get_vector_index, index_items_for
from core.commands import DatabaseCommand


class Command(DatabaseCommand):
    help = "Rebuild the vector index of every champion from the embeddings stored in the database."

    def handle(self, *args, **options) -> None:
        index = get_vector_index()
        champions = Champion.objects.filter(patterns__embedding__isnull=False).distinct().values_list("id", flat=True)
        points = 0
        for champion_id in champions.iterator():
            items = index_items_for(champion_id)
            index.replace_champion(champion_id, items)
            points += len(items)
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt the {index.name} index: {points} points for {len(champions)} champions.")
        )
