from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone


def churn_risk_q(*, days: int, now: datetime | None = None) -> Q:
    """Active users with no activity for ``days`` (never active: joined before then). One
    definition for the admin's churn-risk filter, the dashboard and the inactive reminder."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return Q(is_active=True) & (
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, date_joined__lt=cutoff)
    )
