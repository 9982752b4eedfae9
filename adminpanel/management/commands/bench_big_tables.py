"""``python manage.py bench_big_tables``: the admin dashboard, the activity changelist and a
50-member team's progress with 1,000,000 activity-log rows and 100,000 training sessions.

Fills the tables (``adminpanel/management/big_tables.py``: COPY on PostgreSQL), then renders
each page with Django's test Client (the admin as a staff member, the progress as the team's
manager) once to warm up and ``--runs`` times more, and prints the median and the slowest
render and the queries of each. The rows stay for the next run: ``--reuse`` times them again
without filling (a run without it deletes them and fills anew). PostgreSQL only unless
``--allow-sqlite`` (SQLite has no planner estimate and no COPY: the figures would not be the
ones the README reports). A benchmark, not a test: tests pin the query counts.
"""

from __future__ import annotations

import logging
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import token_pair_for
from adminpanel.management import big_tables
from adminpanel.models import ActivityLog
from core.commands import DatabaseCommand
from training.models import TrainingSession

CLIENT_HOST = "testserver"


class Command(DatabaseCommand):
    help = "Time the dashboard, the activity changelist and a team's progress on a million rows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--activities", type=int, default=1_000_000)
        parser.add_argument("--sessions", type=int, default=100_000)
        parser.add_argument("--users", type=int, default=20_000)
        parser.add_argument("--team-size", type=int, default=50, help="Members of the team whose progress is read.")
        parser.add_argument("--runs", type=int, default=5, help="Timed renders per page (after one warm-up).")
        parser.add_argument("--reuse", action="store_true", help="Time the rows an earlier run left; fill if none.")
        parser.add_argument("--allow-sqlite", action="store_true", help="Run on SQLite (figures not comparable).")
        parser.add_argument("--allow-production", action="store_true", help="Run even with DEBUG=false.")
        parser.add_argument("--show-queries", action="store_true", help="Print the SQL of each page's last render.")

    def handle(self, *args, **options) -> None:
        self._check(options)
        logging.getLogger("django_structlog").setLevel(logging.WARNING)  # two lines a request, timed too
        if CLIENT_HOST not in settings.ALLOWED_HOSTS:  # the test Client's Host; this process only
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, CLIENT_HOST]
        self.stdout.write(f"database {connection.vendor} ({settings.DATABASES['default']['NAME']})")
        scene = big_tables.existing_scene() if options["reuse"] else None
        if scene is None:
            started = time.perf_counter()
            big_tables.delete_all(self.stdout.write)
            sizes = big_tables.Sizes(
                users=options["users"],
                team_size=options["team_size"],
                sessions=options["sessions"],
                activities=options["activities"],
            )
            scene = big_tables.fill(sizes, self.stdout.write)
            self.stdout.write(f"filled in {time.perf_counter() - started:.1f} s")
        self.stdout.write(
            f"tables: {ActivityLog.objects.count():,} activities, {TrainingSession.objects.count():,} sessions; "
            f"team {scene.team.pk} has {scene.team.memberships.count()} members\n"
        )
        self._bench(scene, options["runs"], options["show_queries"])

    def _check(self, options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("DEBUG is false: this writes a million rows. Pass --allow-production if you mean it.")
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                f"The database is {connection.vendor}: the figures are PostgreSQL's (set DATABASE_URL), "
                "or pass --allow-sqlite."
            )
        if options["runs"] < 1 or options["team_size"] < 1 or options["users"] < options["team_size"]:
            raise CommandError("--runs and --team-size must be at least 1, --users at least --team-size.")

    def _bench(self, scene: big_tables.Scene, runs: int, show_queries: bool) -> None:
        staff = Client(HTTP_USER_AGENT="bench_big_tables", REMOTE_ADDR="127.0.0.1")
        staff.force_login(scene.staff)
        manager = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(scene.manager).access_token}")
        activities = reverse("admin:adminpanel_activitylog_changelist")
        deep_page = max(1, min(50, ActivityLog.objects.count() // 100))  # 100 rows a page
        now = timezone.localtime()
        progress = f"/teams/{scene.team.pk}/progress"
        pages = [
            ("dashboard, cache cleared", staff, reverse("admin:index"), True),
            ("dashboard, cached", staff, reverse("admin:index"), False),
            ("activities, first page", staff, activities, False),
            ("activities, action filter", staff, f"{activities}?action=training.completed", False),
            ("activities, resource filter", staff, f"{activities}?resource_type=champion", False),
            (f"activities, page {deep_page}", staff, f"{activities}?p={deep_page}", False),
            ("activities, this year", staff, f"{activities}?created_at__year={now.year}", False),
            (
                "activities, this month",
                staff,
                f"{activities}?created_at__year={now.year}&created_at__month={now.month}",
                False,
            ),
            ("team progress", manager, progress, False),
            ("team progress, 30 days", manager, f"{progress}?since={_days_ago(30)}", False),
        ]
        self.stdout.write(f"{'page':<28} {'median ms':>10} {'max ms':>8} {'queries':>8}  url")
        try:
            for label, client, url, clear_cache in pages:
                self._time_page(label, client, url, clear_cache, runs, show_queries)
        finally:
            staff.logout()  # its session row goes too

    def _time_page(self, label, client: Client, url: str, clear_cache: bool, runs: int, show_queries: bool) -> None:
        timings: list[float] = []
        for run in range(runs + 1):
            if clear_cache:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
            if run:  # the first render warms templates, URL resolvers and the database's cache
                timings.append(elapsed)
        self.stdout.write(
            f"{label:<28} {statistics.median(timings) * 1000:>10.1f} "
            f"{max(timings) * 1000:>8.1f} {len(captured.captured_queries):>8}  {url}"
        )
        if show_queries:
            for query in captured.captured_queries:
                self.stdout.write(f"    {query['time']:>6}s  {query['sql'][:300]}")


def _days_ago(days: int) -> str:
    return (timezone.now() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
