"""Handing deliveries to the attempt task: after commit, by the task's registered name (the
enqueue rule in README.md, "Architecture"), and the beat sweep that enqueues what is due.

Retries are due times in the database, not long countdowns on the broker: a delivery whose
``dispatched_until`` has passed (or was never set) and whose attempt is due is enqueued again
by the sweep, so a lost task costs a delay, never a delivery.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.tasks import enqueue_on_commit
from webhooks_app.models import WebhookDelivery
from webhooks_app.services.endpoints import OPEN_STATUSES

ATTEMPT_TASK = "webhooks_app.tasks.deliver"
# An enqueued attempt not run after this long is taken as lost and enqueued again by the sweep.
DISPATCH_LEASE = timedelta(minutes=5)


def attempts_enqueue(delivery_ids: list[int], *, countdown: float = 0) -> None:
    """Enqueues one attempt task per delivery after commit. Callers have set ``dispatched_until``."""
    for delivery_id in delivery_ids:
        enqueue_on_commit(ATTEMPT_TASK, delivery_id, countdown=countdown or None, queue=settings.WEBHOOK_QUEUE)


def attempt_enqueue_at(delivery_id: int, *, due: datetime, now: datetime) -> None:
    """Leases the delivery to one enqueued attempt, run at ``due`` (at once if already due)."""
    WebhookDelivery.objects.filter(pk=delivery_id).update(dispatched_until=max(due, now) + DISPATCH_LEASE)
    attempts_enqueue([delivery_id], countdown=max(0.0, (due - now).total_seconds()))


@transaction.atomic
def deliveries_dispatch_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Enqueues an attempt for each open delivery that is due and has no attempt enqueued
    (what the beat sweep runs). Returns their ids."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(dispatched_until__isnull=True) | Q(dispatched_until__lte=now),
        status__in=OPEN_STATUSES,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    )
    # skip_locked: two sweeps running at once (PostgreSQL) take different rows.
    delivery_ids = list(
        due.order_by("next_attempt_at")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("id", flat=True)[:limit]
    )
    WebhookDelivery.objects.filter(pk__in=delivery_ids).update(dispatched_until=now + DISPATCH_LEASE)
    attempts_enqueue(delivery_ids)
    return delivery_ids
