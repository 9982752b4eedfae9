"""``python manage.py bench_admin``: the users changelist and the dashboard with 100,000 users.

Bulk-creates N users (default 100,000; emails start with a prefix of their own, passwords
unusable) in the configured database, logs a temporary superuser into Django's test Client,
and renders the users changelist (first page, a plan filter, a search, the churn-risk filter)
and the dashboard (cache cleared before each render) several times each. Prints the median
and the slowest render time and the number of queries of each page, then deletes what it
created unless --keep. A benchmark, not a test: the figures depend on the machine and the
database (set DATABASE_URL to measure PostgreSQL); tests pin the query counts instead.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from auditlog.context import disable_auditlog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import JourneyStage, Plan, Role, SubscriptionStatus, User
from adminpanel.dashboard import churn_risk_filter
from core.commands import DatabaseCommand

EMAIL_DOMAIN = "bench.invalid"  # RFC 2606: never a real mailbox
CLIENT_HOST = "testserver"


class Command(DatabaseCommand):
    help = "Render the users changelist and the dashboard with N users; print render times and query counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=7, help="Timed renders per page (after one warm-up).")
        parser.add_argument("--batch-size", type=int, default=5_000)
        parser.add_argument("--prefix", default="bench-admin-", help="Email prefix of every row this creates.")
        parser.add_argument("--keep", action="store_true", help="Leave the users in the database.")
        parser.add_argument("--show-queries", action="store_true", help="Print the SQL of each page's last render.")
        parser.add_argument("--allow-production", action="store_true", help="Run even with DEBUG=false.")

    def handle(
        self,
        *args,
        users: int,
        runs: int,
        batch_size: int,
        prefix: str,
        keep: bool,
        show_queries: bool,
        allow_production: bool,
        **options,
    ) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is false: this writes and deletes users in that database. "
                "Pass --allow-production if that is really what you want."
            )
        if runs < 1 or users < 1:
            raise CommandError("--runs and --users must be at least 1.")
        # Two log lines per request would bury the figures (and be timed with the renders).
        logging.getLogger("django_structlog").setLevel(logging.WARNING)
        if CLIENT_HOST not in settings.ALLOWED_HOSTS:
            # The test Client sends Host: testserver; only this process's settings change.
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, CLIENT_HOST]

        self.stdout.write(
            f"database {connection.vendor} ({settings.DATABASES['default']['NAME']}), DEBUG={settings.DEBUG}"
        )
        self._delete(prefix, quiet=True)  # what an interrupted earlier run left behind
        try:
            started = time.perf_counter()
            self._create_users(prefix, users, batch_size)
            self.stdout.write(
                f"created {users:,} users in {time.perf_counter() - started:.1f} s "
                f"(table now {User.objects.count():,} rows, {User.objects.filter(churn_risk_filter()).count():,} at churn risk)\n"
            )
            with self._staff_client(prefix) as client:
                self._bench_pages(client, prefix, users, runs, show_queries)
        finally:
            if keep:
                self.stdout.write(f"kept the users ({prefix}*@{EMAIL_DOMAIN}): the next run deletes them first")
            else:
                self._delete(prefix)

    def _create_users(self, prefix: str, count: int, batch_size: int) -> None:
        """Plans, statuses and stages mixed; joined over two years; a fifth never active, the
        others last active a few weeks ago on average (so many match the churn-risk filter)."""
        rng = random.Random(20_240_601)  # the same data on every run
        now = timezone.now()
        unusable = make_password(None)  # "!" + random: check_password() is always False
        plans = list(Plan.values)
        statuses = list(SubscriptionStatus.values)
        stages = list(JourneyStage.values)
        # One transaction per batch: SQLite has one write lock for the whole file, and the web
        # server or a worker sharing it should wait a fraction of a second, not the whole load.
        for start in range(0, count, batch_size):
            batch = []
            for index in range(start, min(start + batch_size, count)):
                joined = now - timedelta(days=rng.uniform(0, 720))
                last_activity = (
                    None if rng.random() < 0.2 else max(joined, now - timedelta(days=rng.expovariate(1 / 30)))
                )
                batch.append(
                    User(
                        email=f"{prefix}{index}@{EMAIL_DOMAIN}",
                        full_name=f"Bench User {index}",
                        password=unusable,
                        role=Role.USER,
                        is_staff=False,
                        is_active=rng.random() > 0.05,
                        subscription_plan=rng.choices(plans, weights=[60, 20, 15, 5])[0],
                        subscription_status=rng.choice(statuses),
                        journey_stage=rng.choice(stages),
                        login_count=rng.randint(0, 200),
                        last_login_at=last_activity,
                        last_activity_at=last_activity,
                        date_joined=joined,
                    )
                )
            User.objects.bulk_create(batch, batch_size=batch_size)

    @contextmanager
    def _staff_client(self, prefix: str) -> Iterator[Client]:
        # bulk_create: a benchmark account should not leave audit entries behind.
        [staff] = User.objects.bulk_create(
            [
                User(
                    email=f"{prefix}staff@{EMAIL_DOMAIN}",
                    full_name="Bench staff",
                    password=make_password(None),
                    role=Role.ADMIN,
                    is_staff=True,
                    is_superuser=True,
                )
            ]
        )
        client = Client(HTTP_USER_AGENT="bench_admin", REMOTE_ADDR="127.0.0.1")
        client.force_login(staff)
        try:
            yield client
        finally:
            client.logout()  # its session row goes too

    def _bench_pages(self, client: Client, prefix: str, users: int, runs: int, show_queries: bool) -> None:
        changelist = reverse("admin:accounts_user_changelist")
        pages = [
            ("users, first page", changelist, False),
            ("users, plan = pro", f"{changelist}?subscription_plan__exact=pro", False),
            ("users, search", f"{changelist}?q={prefix}{users // 2 + 7}", False),
            ("users, churn risk", f"{changelist}?churn_risk=yes", False),
            ("dashboard, cache cleared", reverse("admin:index"), True),
        ]
        if users >= 5_000:  # a page deep into the list: OFFSET over the filtered rows
            pages.insert(4, ("users, churn risk, page 20", f"{changelist}?churn_risk=yes&p=20", False))
        self.stdout.write(f"{'page':<28} {'median ms':>10} {'max ms':>8} {'queries':>8}  url")
        for label, url, clear_cache in pages:
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
                if run:  # the first render warms templates, URL resolvers and the database cache
                    timings.append(elapsed)
            self.stdout.write(
                f"{label:<28} {statistics.median(timings) * 1000:>10.1f} "
                f"{max(timings) * 1000:>8.1f} {len(captured.captured_queries):>8}  {url}"
            )
            if show_queries:
                for query in captured.captured_queries:
                    self.stdout.write(f"    {query['time']:>6}s  {query['sql'][:300]}")

    def _delete(self, prefix: str, *, batch_size: int = 5_000, quiet: bool = False) -> None:
        started = time.perf_counter()
        mine = User.objects.filter(email__startswith=prefix, email__endswith=f"@{EMAIL_DOMAIN}")
        deleted = 0
        # Batches, for the write lock as above; no audit entries, 100,000 "deleted" rows would be noise.
        with disable_auditlog():
            while batch := list(mine.values_list("pk", flat=True)[:batch_size]):
                with transaction.atomic():
                    deleted += User.objects.filter(pk__in=batch).delete()[0]
        if deleted or not quiet:
            self.stdout.write(
                f"deleted {deleted:,} rows (users and what hung on them) in {time.perf_counter() - started:.1f} s"
            )
