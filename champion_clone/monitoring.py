"""The product's metrics, recorded from what the apps already announce (README.md,
"Monitoring"): domain events, model signals, Celery's and Django's auth signals, so that the
services count nothing themselves. Connected with the event subscribers
(``champion_clone.subscriptions``); the metrics are defined in ``core.metrics.registry``.
"""

from __future__ import annotations

from typing import Any

from celery import Task, signals
from celery import states as task_states
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count
from django.db.models.signals import post_save

from champions.models import Champion
from core import events
from core.metrics import scrape
from core.metrics.registry import (
    ANALYSES_FINISHED,
    EMAILS,
    LOGIN_FAILURES,
    PIPELINE_STEP_DURATION,
    PIPELINE_STEP_REALTIME_FACTOR,
    PREFIX,
    WEBHOOK_DELIVERIES,
    WEBHOOK_LAG,
)
from core.metrics.workers import task_elapsed
from emails_app.models import EmailLog
from webhooks_app.models import WebhookDelivery

PIPELINE_STEP_TASK = "champions.tasks.run_pipeline_step"
ADMIN_PATH_PREFIX = "/django-admin/"
# A log's outcome written by ``emails_app.services.sending.log_finish``: queued again is a retry.
EMAIL_OUTCOMES = {EmailLog.Status.SENT: "sent", EmailLog.Status.FAILED: "failed", EmailLog.Status.QUEUED: "retrying"}
WEBHOOK_FINAL = {WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED}


def analysis_ready(event: events.DomainEvent) -> None:
    ANALYSES_FINISHED.labels("ready", "").inc()


def analysis_failed(event: events.DomainEvent) -> None:
    ANALYSES_FINISHED.labels("failed", str(event.data.get("step") or "")).inc()


def pipeline_step_done(sender: Task, *, args: tuple = (), state: str = "", **kwargs: Any) -> None:
    """A step's run time, and over the recording's length (one query, once per step). Only a
    step done: a retried, failed or superseded run says nothing of the step's speed."""
    if sender.name != PIPELINE_STEP_TASK or state != task_states.SUCCESS or len(args) < 3:
        return
    elapsed = task_elapsed(sender)
    if elapsed is None:
        return
    champion_id, _run_id, step = args[:3]
    PIPELINE_STEP_DURATION.labels(step).observe(elapsed)
    duration = Champion.objects.filter(pk=champion_id).values_list("duration_seconds", flat=True).first()
    if duration:
        PIPELINE_STEP_REALTIME_FACTOR.labels(step).observe(elapsed / duration)


def webhook_attempt_recorded(sender: type, *, instance: WebhookDelivery, update_fields: Any = None, **kw: Any) -> None:
    """What a delivery became after an attempt: the attempt's own save is the one that writes
    its result (``webhooks_app.services.outcomes._delivery_save`` names ``last_error``)."""
    if not update_fields or "last_error" not in update_fields:
        return
    WEBHOOK_DELIVERIES.labels(instance.status).inc()
    if instance.status in WEBHOOK_FINAL and instance.completed_at:
        WEBHOOK_LAG.labels(instance.status).observe(
            max(0.0, (instance.completed_at - instance.created_at).total_seconds())
        )


def email_outcome_recorded(sender: type, *, instance: EmailLog, update_fields: Any = None, **kw: Any) -> None:
    """``log_finish`` saves exactly a log's status, error and sending time."""
    if update_fields is None or set(update_fields) != {"status", "error", "sent_at"}:
        return
    if outcome := EMAIL_OUTCOMES.get(instance.status):
        EMAILS.labels(outcome).inc()


def login_failed(sender: Any, *, request: Any = None, **kwargs: Any) -> None:
    path = getattr(request, "path", "") or ""
    LOGIN_FAILURES.labels("admin" if path.startswith(ADMIN_PATH_PREFIX) else "api").inc()


def champions_by_status() -> dict[str, float]:
    """One query, every status present (zero included) so that a rule can compare."""
    counts = dict(Champion.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Champion.Status.values}


def connect() -> None:
    events.subscribe(events.CHAMPION_ANALYZED, analysis_ready)
    events.subscribe(events.CHAMPION_FAILED, analysis_failed)
    signals.task_postrun.connect(pipeline_step_done, dispatch_uid="monitoring.pipeline_step", weak=False)
    post_save.connect(webhook_attempt_recorded, sender=WebhookDelivery, dispatch_uid="monitoring.webhook")
    post_save.connect(email_outcome_recorded, sender=EmailLog, dispatch_uid="monitoring.email")
    user_login_failed.connect(login_failed, dispatch_uid="monitoring.login_failed")
    scrape.register(
        scrape.ScrapeGauge(
            name=f"{PREFIX}_champions",
            documentation="Champions by analysis status (counted when scraped).",
            label="status",
            read=champions_by_status,
        )
    )
