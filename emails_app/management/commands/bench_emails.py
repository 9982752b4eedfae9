"""``python manage.py bench_emails``: lifecycle emails sent through one real worker to a real
SMTP server (aiosmtpd on 127.0.0.1).

Creates N throw-away users, publishes a ``champion.analyzed`` event for each to the email
subscriber, and lets one Celery worker process (concurrency 1) render and send every
``champion_ready`` email over SMTP (multipart, List-Unsubscribe, tracking links). Prints
emails per second and the latency from publication to the SMTP server's receipt, then
removes the users and their logs. Uses the configured database and broker. A benchmark, not
a test: the figures depend on the machine (README, "Benchmarks").
"""

from __future__ import annotations

import statistics
import time
import uuid

from django.conf import settings
from django.core.management.base import CommandError

from accounts.models import User
from core import events
from core.commands import DatabaseCommand
from core.events import DomainEvent
from core.testing.worker import celery_worker, percentile, wait_for
from emails_app import subscribers as email_subscribers
from emails_app.models import EmailLog
from emails_app.testing import SMTPSink

BENCH_DOMAIN = "bench-emails.championclone.test"


class Command(DatabaseCommand):
    help = "Send N lifecycle emails to a local SMTP server through one worker; print throughput and latency."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--emails", type=int, default=1000)
        parser.add_argument("--timeout", type=float, default=900.0)

    def handle(self, *args, emails: int, timeout: float, **options) -> None:
        count = emails
        queue = f"bench-emails-{uuid.uuid4().hex[:8]}"
        settings.EMAIL_QUEUE = queue
        User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").delete()
        users = User.objects.bulk_create(
            [User(email=f"rep{index}@{BENCH_DOMAIN}", full_name=f"Rep {index}") for index in range(count + 1)]
        )
        recipients = list(User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").values_list("id", "email"))
        user_ids = [user_id for user_id, _ in recipients]
        try:
            with SMTPSink() as smtp:
                env = {"EMAIL_QUEUE": queue, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "LOG_LEVEL": "WARNING"}
                with celery_worker(queue=queue, concurrency=1, extra_env=env) as (process, _):
                    self.stdout.write(f"worker pid {process.pid}, SMTP server on 127.0.0.1:{smtp.port}")
                    self._publish(recipients[:1])  # warm-up
                    smtp.wait_for(1, timeout=120)
                    published = self._publish(recipients[1:])
                    received = smtp.wait_for(count + 1, timeout=timeout)[1:]
                    wait_for(
                        lambda: EmailLog.objects.filter(user_id__in=user_ids, status="sent").count() == count + 1,
                        timeout=30,
                        message="the worker to record the last emails",
                    )
        finally:
            User.objects.filter(pk__in=[user.pk for user in users] + user_ids).delete()  # logs cascade
        self._report(count, published, received)

    def _publish(self, recipients: list[tuple[int, str]]) -> dict[str, float]:
        published: dict[str, float] = {}
        for user_id, email in recipients:
            event = DomainEvent(
                type=events.CHAMPION_ANALYZED,
                user_id=user_id,
                data={"champion_id": user_id, "name": "Benchmark call", "patterns": 12, "scenarios": 3},
            )
            published[email] = time.time()
            email_subscribers.enqueue_lifecycle_email(event)
        return published

    def _report(self, count: int, published: dict[str, float], received) -> None:
        by_user = {message.recipients[0]: message for message in received}
        if len(by_user) != count:
            raise CommandError(f"{len(by_user)} distinct recipients for {count} emails")
        sample = received[0].message
        if sample.get_content_type() != "multipart/alternative" or not sample["List-Unsubscribe"]:
            raise CommandError("the emails are not multipart with a List-Unsubscribe header")
        latencies = [message.received_at - published[recipient] for recipient, message in by_user.items()]
        elapsed = max(message.received_at for message in received) - min(published.values())
        self.stdout.write(
            f"\n{count} emails received by the SMTP server in {elapsed:.1f} s: {count / elapsed:.1f} emails/s "
            f"with one worker\nlatency event → SMTP receipt: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
