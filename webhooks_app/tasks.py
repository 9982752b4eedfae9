"""Thin Celery tasks of the webhooks app (light queue): ids and plain data in, services do
the work. Retries are not Celery retries: they are due times in the database, swept here."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import OperationalError

from webhooks_app import services


@shared_task(
    name="webhooks_app.tasks.fan_out_event",
    ignore_result=True,
    acks_late=True,  # idempotent: one delivery per (endpoint, message id), attempts are claimed
    autoretry_for=(OperationalError,),  # a locked or restarting database
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def fan_out_event(event_type: str, message_id: str, payload: dict[str, Any]) -> int:
    """One domain event (its id and the webhook payload built from it) → deliveries. The
    first is attempted here, the others in their own tasks, so a slow endpoint delays no other."""
    return services.event_fan_out(event_type=event_type, message_id=message_id, payload=payload)


@shared_task(
    name="webhooks_app.tasks.deliver",
    ignore_result=True,
    acks_late=True,  # a claimed attempt is leased; a lost one is swept again
    soft_time_limit=60,  # the HTTP exchange itself stops at WEBHOOK_TIMEOUT_SECONDS
    time_limit=90,
)
def deliver(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks_app.tasks.sweep_due_deliveries", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_due_deliveries() -> int:
    """Beat, every WEBHOOK_SWEEP_SECONDS: enqueues the attempts that are due."""
    return len(services.deliveries_dispatch_due())
