"""The churn-risk rule, one definition for the admin filter, the dashboard and the reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.selectors import churn_risk_q
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def at_risk(*users: User, days: int = 30, now=NOW) -> set[str]:
    return set(
        User.objects.filter(pk__in=[u.pk for u in users])
        .filter(churn_risk_q(days=days, now=now))
        .values_list("email", flat=True)
    )


def test_an_active_user_idle_for_longer_than_the_window_is_at_risk():
    idle = UserFactory(email="idle@example.com", last_activity_at=NOW - timedelta(days=31))
    recent = UserFactory(email="recent@example.com", last_activity_at=NOW - timedelta(days=29))

    assert at_risk(idle, recent) == {"idle@example.com"}


def test_a_user_never_active_counts_from_the_day_they_joined():
    old = UserFactory(email="old@example.com", date_joined=NOW - timedelta(days=31), last_activity_at=None)
    new = UserFactory(email="new@example.com", date_joined=NOW - timedelta(days=2), last_activity_at=None)

    assert at_risk(old, new) == {"old@example.com"}


def test_a_deactivated_user_is_not_at_risk_of_churning():
    gone = UserFactory(is_active=False, last_activity_at=NOW - timedelta(days=90))

    assert at_risk(gone) == set()


def test_the_window_and_the_clock_are_the_callers():
    user = UserFactory(email="rep@example.com", last_activity_at=NOW - timedelta(days=10))

    assert at_risk(user, days=7) == {"rep@example.com"}
    assert at_risk(user, days=14) == set()
    assert at_risk(user, days=14, now=NOW + timedelta(days=5)) == {"rep@example.com"}


def test_without_a_clock_it_reads_the_current_time():
    user = UserFactory(email="rep@example.com", last_activity_at=timezone.now() - timedelta(days=8))

    assert User.objects.filter(churn_risk_q(days=7), pk=user.pk).exists()
