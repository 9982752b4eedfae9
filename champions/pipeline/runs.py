"""A step belongs to one analysis run (``Champion.analysis_run``): the guards that stop a step
of a superseded run (the champion re-analysed or deleted meanwhile) before it writes."""

from __future__ import annotations

from django.utils import timezone

from champions.models import Champion


class Superseded(Exception):
    """The champion was re-analysed, deleted or is no longer in this run: stop quietly."""


def save_if_current(champion: Champion, fields: list[str]) -> None:
    """Saves ``fields`` only while the champion is still in the step's run."""
    updated = Champion.objects.filter(pk=champion.pk, analysis_run=champion.analysis_run).update(
        **{field: getattr(champion, field) for field in fields}, updated_at=timezone.now()
    )
    if not updated:
        raise Superseded(f"champion {champion.pk} changed run during {champion.step}")


def lock_current(champion: Champion) -> None:
    """Inside a transaction: lock the row, and stop if the run changed meanwhile."""
    current = Champion.objects.select_for_update().filter(pk=champion.pk).values_list("analysis_run", flat=True).first()
    if current != champion.analysis_run:
        raise Superseded(f"champion {champion.pk} changed run")
