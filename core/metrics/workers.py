"""Celery tasks counted from Celery's own signals, in whichever process runs them: started,
succeeded, failed, retried, and how long each run took, per task and queue."""

from __future__ import annotations

import time
from typing import Any

from celery import Task, signals

from core.metrics.queues import bounded_queue
from core.metrics.registry import TASK_DURATION, TASKS_FAILED, TASKS_RETRIED, TASKS_STARTED, TASKS_SUCCEEDED

_STARTED_ATTRIBUTE = "metrics_started_at"


def task_labels(task: Task) -> tuple[str, str]:
    delivery_info = getattr(task.request, "delivery_info", None) or {}
    return task.name, bounded_queue(delivery_info.get("routing_key"))


def task_elapsed(task: Task) -> float | None:
    """Seconds since the task's run began (None outside a run this module saw start)."""
    started = getattr(task.request, _STARTED_ATTRIBUTE, None)
    return None if started is None else time.perf_counter() - started


def _started(sender: Task, **kwargs: Any) -> None:
    setattr(sender.request, _STARTED_ATTRIBUTE, time.perf_counter())
    TASKS_STARTED.labels(*task_labels(sender)).inc()


def _succeeded(sender: Task, **kwargs: Any) -> None:
    TASKS_SUCCEEDED.labels(*task_labels(sender)).inc()


def _failed(sender: Task, **kwargs: Any) -> None:
    TASKS_FAILED.labels(*task_labels(sender)).inc()


def _retried(sender: Task, **kwargs: Any) -> None:
    TASKS_RETRIED.labels(*task_labels(sender)).inc()


def _finished(sender: Task, **kwargs: Any) -> None:
    # task_postrun comes before Celery pops the request: the start time is still on it.
    elapsed = task_elapsed(sender)
    if elapsed is not None:
        TASK_DURATION.labels(*task_labels(sender)).observe(elapsed)


def connect() -> None:
    signals.task_prerun.connect(_started, dispatch_uid="core.metrics.task_started", weak=False)
    signals.task_success.connect(_succeeded, dispatch_uid="core.metrics.task_succeeded", weak=False)
    signals.task_failure.connect(_failed, dispatch_uid="core.metrics.task_failed", weak=False)
    signals.task_retry.connect(_retried, dispatch_uid="core.metrics.task_retried", weak=False)
    signals.task_postrun.connect(_finished, dispatch_uid="core.metrics.task_finished", weak=False)
