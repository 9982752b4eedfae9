"""A step belongs to one analysis run (``Champion.analysis_run``) and runs as one claimed attempt
(``Champion.step_attempts`` after its claim): the guards that stop a step before it writes when
its run was superseded (the champion re-analysed or deleted meanwhile), or when the attempt was
taken for dead and another one claimed the step (``champions.pipeline.heartbeat``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agents.types import Transcript
from champions.models import Champion
from champions.transcripts import store_transcript


class Superseded(Exception):
    """The champion was re-analysed, deleted, is no longer in this run, or another attempt has
    claimed the step: stop quietly."""


def save_if_current(champion: Champion, fields: list[str], *, transcript: Transcript | None = None) -> None:
    """Saves ``fields``, and ``transcript`` when given, only while the champion is still in the
    step's run and attempt (the row's update holds it until the transcript is written too)."""
    with transaction.atomic():
        updated = Champion.objects.filter(
            pk=champion.pk, analysis_run=champion.analysis_run, step_attempts=champion.step_attempts
        ).update(**{field: getattr(champion, field) for field in fields}, updated_at=timezone.now())
        if not updated:
            raise Superseded(f"champion {champion.pk} changed run or attempt during {champion.step}")
        if transcript is not None:
            store_transcript(champion.pk, transcript)


def lock_current(champion: Champion) -> None:
    """Inside a transaction: lock the row, and stop if the run or the attempt changed meanwhile."""
    current = (
        Champion.objects.select_for_update().filter(pk=champion.pk).values_list("analysis_run", "step_attempts").first()
    )
    if current != (champion.analysis_run, champion.step_attempts):
        raise Superseded(f"champion {champion.pk} changed run or attempt")
