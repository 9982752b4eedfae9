"""Beat stopped for an hour and started again sends each periodic task once, not once per
tick it missed (README.md, "Faults"). The product runs Celery's default scheduler
(``PersistentScheduler``: each entry's last run in a shelve file, ``--schedule``); the hour
is simulated by moving every entry's last run back in that file, as an hour of downtime
leaves it, rather than by waiting."""

from __future__ import annotations

import shelve
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from celery.beat import PersistentScheduler
from django.utils import timezone

from champion_clone.celery import app
from champions.tasks import resume_stalled_analyses
from champions.tests.factories import QueuedChampionFactory


class RecordingScheduler(PersistentScheduler):
    """The real scheduler; what it would send to the broker is counted instead."""

    sent: Counter

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent[entry.name] += 1
        return None


def beat_start(schedule_file: Path) -> RecordingScheduler:
    scheduler = RecordingScheduler(app=app, schedule_filename=str(schedule_file), lazy=False)
    scheduler.sent = Counter()
    return scheduler


def ticks(scheduler: RecordingScheduler, count: int) -> None:
    for _ in range(count):
        scheduler.tick()


def test_beat_after_an_hour_stopped_sends_each_task_once(tmp_path, settings):
    schedule_file = tmp_path / "celerybeat-schedule"
    first = beat_start(schedule_file)
    ticks(first, 3)  # the first start: every entry counts from now
    interval_entries = {name for name, entry in first.schedule.items() if hasattr(entry.schedule, "run_every")}
    assert "resume-stalled-analyses" in interval_entries and "webhooks-sweep-due-deliveries" in interval_entries
    first.close()

    # Beat was stopped for an hour: every entry last ran an hour ago (a day ago for the daily
    # ones, so that their time went by while it was down).
    with shelve.open(str(schedule_file), writeback=True) as store:  # noqa: S301 - the test's own file, as beat left it
        for name, entry in store["entries"].items():
            entry.last_run_at -= timedelta(hours=1) if name in interval_entries else timedelta(hours=25)

    again = beat_start(schedule_file)
    try:
        ticks(again, 20)
    finally:
        again.close()
    # 120 missed ticks of the 30 s sweep, 360 of the 10 s webhook sweep: one send each, and
    # each daily task whose time went by once.
    assert set(again.sent) == set(settings.CELERY_BEAT_SCHEDULE)
    assert set(again.sent.values()) == {1}


@pytest.mark.django_db
def test_the_sweeps_beat_catches_up_with_are_idempotent(settings):
    """Sending a sweep twice (a catch-up right after a run) does the work once: the pipeline
    sweep claims each stalled step with a conditional UPDATE."""
    settings.CHAMPION_STEP_DEAD_AFTER_SECONDS = 45
    QueuedChampionFactory(
        status="processing",
        step="voice",
        step_started_at=timezone.now() - timedelta(hours=1),
        step_heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    assert [resume_stalled_analyses.run(), resume_stalled_analyses.run()][1] == 0
