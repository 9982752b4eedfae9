"""The one way services start background work (the enqueue rule in README.md, "Architecture").

Tasks import services; services never import tasks. A service starts a task by its registered
name, after the surrounding transaction commits, so no two modules import each other and a
worker never sees a row that was rolled back. Looking the task up in the app's registry (not
``send_task``) keeps the task's own options and routing, and eager mode in tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from core import ops

logger = logging.getLogger(__name__)
# What sending a task raises when the broker cannot take it (Redis down or restarting: kombu
# wraps the connection error once its publish retries are spent; the embedded broker's folder
# unwritable: an OSError).
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerUnavailable, OSError)


def registered_task(task_name: str) -> Task:
    """The task registered under ``task_name``. A worker imports every app's ``tasks`` module
    when it starts; a web process imports them here, the first time it enqueues one."""
    try:
        return current_app.tasks[task_name]
    except NotRegistered:
        current_app.loader.import_default_modules()  # runs Celery's autodiscovery of tasks.py
        return current_app.tasks[task_name]


def enqueue(task_name: str, *args: Any, **options: Any) -> None:
    """Sends the task now (callers already outside a transaction, or wanting it at once)."""
    registered_task(task_name).apply_async(args=args, **options)


def enqueue_on_commit(task_name: str, *args: Any, **options: Any) -> None:
    transaction.on_commit(lambda: _enqueue_committed(task_name, *args, **options))


def _enqueue_committed(task_name: str, *args: Any, **options: Any) -> None:
    """After the commit the write is done: a broker that cannot take its task must not turn it
    into an error for the caller (an upload answered 500 although its champion was stored). The
    database-held state sends again what it holds (a pipeline step waiting is swept, a webhook
    attempt is a due row); staff are told of the rest (an invitation email to send again)."""
    try:
        enqueue(task_name, *args, **options)
    except BROKER_ERRORS as exc:
        ops.alert_raise(
            type="broker.unavailable",
            message=f"The task broker refused {task_name} ({exc}); database sweeps resend what they hold.",
            resource_type="task",
            resource_id=task_name,
        )


def enqueue_or_run_here(task_name: str, run_here: Callable[[], None], **options: Any) -> None:
    """Sends the task; when the broker cannot take it, does ``run_here`` in this process instead,
    so that work whose only record is the message (an event's webhooks and emails: the event is
    stored nowhere else) is not lost with it. ``run_here`` writes what the database sweeps pick
    up or does the work itself."""
    try:
        enqueue(task_name, **options)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable for %s (%s): running it in this process", task_name, exc)
        run_here()
