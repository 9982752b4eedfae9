"""What champions does when something it depends on changes (connected in ``apps.py``)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from champions.models import Champion
from champions.services import champion_delete


def delete_champions_of_deleted_user(sender: type[User], *, user: User, **kwargs: Any) -> None:
    for champion in Champion.objects.filter(owner=user):
        champion_delete(champion=champion)
