"""The Celery app. Configuration comes from Django settings (CELERY_* names).

Two queues: ``pipeline`` for the long, idempotent analysis steps (late acks, one message
prefetched at a time) and ``light`` for emails, webhooks and housekeeping.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from kombu import Exchange, Queue

from champion_clone import broker
from champions.worker_steps import ResumeAnalysesOnConnect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "champion_clone.settings")

app = Celery("champion_clone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (
    Queue("pipeline", Exchange("pipeline"), routing_key="pipeline"),
    Queue("light", Exchange("light"), routing_key="light"),
)
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport expects its folders to exist."""
    options = app.conf.broker_transport_options or {}
    if not str(app.conf.broker_url).startswith(f"{broker.SCHEME}://"):
        return
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


ensure_filesystem_broker_folders()

# Each (re)connection of a worker to the broker sends again the pipeline steps it may have lost.
app.steps["consumer"].add(ResumeAnalysesOnConnect)
