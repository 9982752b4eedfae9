"""What training does when something it depends on changes (connected in ``apps.py``)."""

from __future__ import annotations

from typing import Any

from champions.models import Champion
from training.selectors import audio_files_of_champion


def practice_audio_of_deleted_champion(sender: type[Champion], *, champion: Champion, **kwargs: Any) -> list[str]:
    """The practice sessions' audio files go with the champion (its rows cascade)."""
    return list(audio_files_of_champion(champion_id=champion.pk))
