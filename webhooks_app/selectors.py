"""Non-trivial reads of the webhooks app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count

from webhooks_app.models import WebhookDelivery, WebhookEndpoint


def delivery_stats(*, since: datetime) -> dict[str, Any]:
    """Deliveries per status since ``since``, the success rate of the finished ones, and
    endpoint counts: what an operations dashboard shows about webhooks."""
    counts = dict.fromkeys(WebhookDelivery.Status.values, 0)
    for row in (
        WebhookDelivery.objects.filter(created_at__gte=since).order_by().values("status").annotate(total=Count("id"))
    ):
        counts[row["status"]] = row["total"]
    finished = counts[WebhookDelivery.Status.SUCCEEDED] + counts[WebhookDelivery.Status.FAILED]
    endpoints = WebhookEndpoint.objects.order_by().values("is_active").annotate(total=Count("id"))
    by_activity = {row["is_active"]: row["total"] for row in endpoints}
    return {
        "by_status": counts,
        "success_rate": counts[WebhookDelivery.Status.SUCCEEDED] / finished if finished else None,
        "active_endpoints": by_activity.get(True, 0),
        "disabled_endpoints": by_activity.get(False, 0),
    }
