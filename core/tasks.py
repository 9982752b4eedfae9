"""The one way services start background work (the enqueue rule in README.md, "Architecture").

Tasks import services; services never import tasks. A service starts a task by its registered
name, after the surrounding transaction commits, so no two modules import each other and a
worker never sees a row that was rolled back. Looking the task up in the app's registry (not
``send_task``) keeps the task's own options and routing, and eager mode in tests.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args: Any, **options: Any) -> None:
    """Sends the task now (callers already outside a transaction, or wanting it at once)."""
    current_app.tasks[task_name].apply_async(args=args, **options)


def enqueue_on_commit(task_name: str, *args: Any, **options: Any) -> None:
    transaction.on_commit(lambda: enqueue(task_name, *args, **options))
