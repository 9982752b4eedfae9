"""The running step's heartbeat: while a step runs, a thread of its process writes the time on
the champion's row every ``CHAMPION_STEP_HEARTBEAT_SECONDS``. A step whose heartbeat is older
than ``CHAMPION_STEP_DEAD_AFTER_SECONDS`` lost its process (killed, out of memory, the machine
gone) and is taken over by the sweep (``runner.analyses_stalled_claim``); a step that runs for
an hour and beats is never taken for dead.

A thread, not the step itself, beats: a step spends minutes inside one engine call
(transcription, embedding) that cannot stop to report. The engines release the GIL in their
native code, and a Python-heavy step still yields to the thread every few milliseconds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from champions.models import Champion

logger = structlog.get_logger(__name__)


def heartbeat_write(champion_id: int, attempt: int) -> bool:
    """One beat of the attempt ``attempt``; False once the step is no longer that attempt's
    running step (done, failed, superseded, or claimed by another attempt)."""
    return bool(
        Champion.objects.filter(pk=champion_id, step_attempts=attempt, step_started_at__isnull=False).update(
            step_heartbeat_at=timezone.now()
        )
    )


def _beat_until(stop: threading.Event, champion_id: int, attempt: int) -> None:
    try:
        while not stop.wait(settings.CHAMPION_STEP_HEARTBEAT_SECONDS):
            try:
                if not heartbeat_write(champion_id, attempt):
                    return
            except DatabaseError as exc:
                # The database is away: the step's own writes will fail too; keep trying.
                logger.warning("champion_heartbeat_failed", champion_id=champion_id, error=str(exc))
    finally:
        connections.close_all()  # this thread's own connections only


@contextmanager
def heartbeat(champion: Champion) -> Iterator[None]:
    """Beats for the claimed attempt of ``champion``'s step while the block runs."""
    stop = threading.Event()
    beating = threading.Thread(
        target=_beat_until, args=(stop, champion.pk, champion.step_attempts), name="step-heartbeat", daemon=True
    )
    beating.start()
    try:
        yield
    finally:
        stop.set()
        # Not waited for long: a beat blocked on a lock ends by itself, and its conditional
        # UPDATE changes nothing once the step is done.
        beating.join(timeout=1)
