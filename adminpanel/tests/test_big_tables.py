"""The pages that must stay fast on big tables (issue 13: 1,000,000 activity rows, 100,000
sessions): their query counts pinned, their filters and drill-down from the indexes, and the
benchmark command that measures them (README.md, "Benchmarks and evaluations")."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from adminpanel.admin.big_tables import distinct_values
from adminpanel.models import ActivityLog
from training.models import TrainingSession
from training.tests.factories import TrainingSessionFactory

pytestmark = pytest.mark.django_db
ACTIVITIES = reverse("admin:adminpanel_activitylog_changelist")
# Session, staff user, the page count, page rows, the date hierarchy's range, its periods' range,
# the two filters' choices. On PostgreSQL the count is the planner's estimate on a big table,
# one query more (the estimate, then COUNT) on a small one as here.
ACTIVITY_CHANGELIST_QUERIES = 8


def changelist_queries() -> int:
    return ACTIVITY_CHANGELIST_QUERIES + (connection.vendor == "postgresql")


# Session and staff user, 15 figures (README.md, "Staff admin"), the admin's recent actions.
DASHBOARD_QUERIES = 18


def add_activities(count: int, *, action: str = "user.login", resource_type: str = "user", at=None) -> None:
    owner = UserFactory()
    ActivityLog.objects.bulk_create(
        ActivityLog(user=owner, action=action, resource_type=resource_type, created_at=at or timezone.now())
        for _ in range(count)
    )


class TestActivityChangelist:
    def test_query_count_is_pinned_and_nothing_scans_the_table(self, admin_client, django_assert_num_queries):
        add_activities(5)
        add_activities(5, action="training.completed", resource_type="training_session")
        admin_client.get(ACTIVITIES)  # the session is stored once
        with django_assert_num_queries(changelist_queries()) as captured:
            assert admin_client.get(ACTIVITIES).status_code == 200
        assert not [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"].upper()]
        add_activities(500, action="champion.created", resource_type="champion")
        with django_assert_num_queries(changelist_queries()):
            assert admin_client.get(ACTIVITIES).status_code == 200

    def test_filters_offer_every_value_and_narrow_the_list(self, admin_client):
        add_activities(2)
        add_activities(3, action="training.completed", resource_type="training_session")
        add_activities(1, action="team.member_joined", resource_type="")
        response = admin_client.get(ACTIVITIES)
        html = response.content.decode()
        for choice in ("?action=training.completed", "?action=user.login", "?resource_type=training_session"):
            assert choice in html
        assert "(none)" in html  # the blank resource type is a choice too
        response = admin_client.get(ACTIVITIES, {"action": "training.completed"})
        assert response.context["cl"].result_count == 3
        response = admin_client.get(ACTIVITIES, {"resource_type": ""})
        assert response.context["cl"].result_count == 1  # "(none)": the blank resource type

    def test_distinct_values_walk_the_index_in_order(self):
        add_activities(2, action="b.second")
        add_activities(3, action="a.first")
        add_activities(1, action="c.third")
        assert distinct_values(ActivityLog, "action") == ["a.first", "b.second", "c.third"]
        ActivityLog.objects.all().delete()
        assert distinct_values(ActivityLog, "action") == []

    def test_the_date_drill_down_lists_the_periods_between_the_first_and_last_row(self, admin_client):
        zone = timezone.get_current_timezone()
        add_activities(1, at=datetime(2025, 9, 2, 8, tzinfo=zone))
        add_activities(2, at=datetime(2025, 11, 20, 12, tzinfo=zone))
        add_activities(3, at=datetime(2026, 2, 3, 9, tzinfo=zone))
        html = admin_client.get(ACTIVITIES).content.decode()
        assert "created_at__year=2025" in html and "created_at__year=2026" in html
        html = admin_client.get(ACTIVITIES, {"created_at__year": 2025}).content.decode()
        months = {month for month in range(1, 13) if f"created_at__month={month}&" in html}
        assert months == {9, 10, 11}  # October has no row: an empty page, the price of no scan
        response = admin_client.get(ACTIVITIES, {"created_at__year": 2026, "created_at__month": 2})
        assert "created_at__day=3" in response.content.decode()
        assert response.context["cl"].result_count == 3


class TestDashboard:
    def test_query_count_is_pinned(self, admin_client, django_assert_num_queries):
        add_activities(20)
        admin_client.get(reverse("admin:index"))
        cache.clear()
        with django_assert_num_queries(DASHBOARD_QUERIES):
            assert admin_client.get(reverse("admin:index")).status_code == 200
        with django_assert_num_queries(3):  # cached: the figures cost nothing
            assert admin_client.get(reverse("admin:index")).status_code == 200

    def test_the_average_score_is_of_the_last_30_days(self, admin_client):
        now = timezone.now()
        completed = TrainingSession.Status.COMPLETED
        TrainingSessionFactory(status=completed, overall_score=80, started_at=now - timedelta(days=3))
        TrainingSessionFactory(status=completed, overall_score=60, started_at=now - timedelta(days=20))
        TrainingSessionFactory(status=completed, overall_score=10, started_at=now - timedelta(days=90))
        sessions = admin_client.get(reverse("admin:index")).context["dashboard"]["sessions"]
        assert sessions["average_score"] == 70.0
        assert (sessions["this_week"], sessions["completed_this_week"]) == (1, 1)


class TestBenchCommand:
    def test_refuses_sqlite_unless_allowed(self, settings):
        settings.DEBUG = True
        if connection.vendor != "sqlite":
            pytest.skip("the refusal is SQLite's")
        with pytest.raises(CommandError, match="allow-sqlite"):
            call_command("bench_big_tables", stdout=StringIO())

    def test_fills_times_every_page_and_reuses_its_rows(self, settings):
        settings.DEBUG = True
        out = StringIO()
        sizes = ["--users", "60", "--team-size", "8", "--sessions", "600", "--activities", "300", "--runs", "1"]
        call_command("bench_big_tables", *sizes, "--allow-sqlite", stdout=out)
        printed = out.getvalue()
        for page in ("dashboard, cache cleared", "activities, first page", "team progress"):
            assert page in printed
        assert ActivityLog.objects.count() == 300
        assert TrainingSession.objects.count() == 600
        with CaptureQueriesContext(connection) as reused:
            call_command("bench_big_tables", "--reuse", "--runs", "1", "--allow-sqlite", stdout=StringIO())
        assert not [q for q in reused.captured_queries if q["sql"].startswith('INSERT INTO "adminpanel_activitylog')]
        assert ActivityLog.objects.count() == 300
