"""A step of the Celery worker's consumer (``champion_clone.celery`` adds it): each time the
worker connects to the broker, at start and again after a lost connection, it sends again the
pipeline steps that may have been lost meanwhile.

At start, a worker killed a moment ago left its step claimed with a heartbeat that stops; the
beat sweep takes it over once it is older than ``CHAMPION_STEP_DEAD_AFTER_SECONDS``. After a
broker restart, the queued messages may be gone with the broker's data (Redis without
persistence): every waiting step is sent again, which is safe because a duplicate message
claims nothing (``champions.pipeline.runner``).

Imported by the Celery app before Django is set up: the work is imported when it runs.
"""

from __future__ import annotations

from typing import Any

import structlog
from celery import bootsteps

logger = structlog.get_logger(__name__)


class ResumeAnalysesOnConnect(bootsteps.StartStopStep):
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, parent: Any) -> None:
        from django.conf import settings
        from django.db import DatabaseError, connections

        queues = {queue.name for queue in parent.task_consumer.queues} if parent.task_consumer else set()
        if settings.CHAMPION_PIPELINE_QUEUE not in queues:
            return  # a worker of other queues: the pipeline's own workers resume its steps
        from champions.tasks import analyses_resume

        try:
            analyses_resume(every_waiting=True)
        except DatabaseError as exc:
            logger.warning("champion_resume_on_connect_failed", error=str(exc))
        finally:
            # The worker's main process forks its pool later (a replaced child): no shared socket.
            connections.close_all()
