"""A run that cannot go on: the champion is marked failed with an error the user can read, and
``champion.failed`` carries the details to the operations app (its ErrorLog)."""

from __future__ import annotations

import traceback
import uuid

from django.db import transaction
from django.utils import timezone

from champions.models import Champion
from champions.pipeline.steps import step_label
from core import events


def readable_error(step: str, exc: BaseException) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return f"{step_label(step)} failed: {detail}"[:2000]


@transaction.atomic
def analysis_fail(champion_id: int, run_id: str, step: str, exc: BaseException, *, attempt: int | None = None) -> bool:
    """Marks the run failed with a readable error and publishes ``champion.failed``
    (the operations app records it in the ErrorLog). False if the run was superseded, or the
    step's attempt ``attempt`` (when given) was taken for dead and replaced."""
    message = readable_error(step, exc)
    current = Champion.objects.select_for_update().filter(pk=champion_id, analysis_run=uuid.UUID(run_id))
    if attempt is not None:
        current = current.filter(step_attempts=attempt)
    champion = current.first()
    if champion is None:
        return False
    Champion.objects.filter(pk=champion_id).update(
        status=Champion.Status.FAILED, error=message, step=step, updated_at=timezone.now()
    )
    events.publish(
        events.CHAMPION_FAILED,
        data={
            "champion_id": champion_id,
            "name": champion.name,
            "step": step,
            "error": message,
            "error_type": type(exc).__name__,
            "stack_trace": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-20_000:],
        },
        user_id=champion.owner_id,
        resource_type="champion",
        resource_id=champion_id,
    )
    return True
