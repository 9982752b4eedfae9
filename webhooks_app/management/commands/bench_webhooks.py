"""``python manage.py bench_webhooks``: webhook throughput and latency through one real worker.

Starts a Celery worker process (one process, concurrency 1) on a private queue and a
receiver on 127.0.0.1 that verifies every signature with the ``standardwebhooks`` package,
then publishes N domain events to the webhook subscriber (what the commit of the publishing
transaction does). Each event takes the production path: subscriber → broker → fan-out task
(delivery row) → broker → delivery task (SSRF check, signature, HTTP POST) → receiver.
Prints deliveries per second and the latency from publication to receipt. Uses the configured
database and broker (SQLite and the filesystem broker by default; set DATABASE_URL and
REDIS_URL to measure PostgreSQL and Redis) and removes what it created. A benchmark, not a
test: the figures depend on the machine (README, "Benchmarks").
"""

from __future__ import annotations

import statistics
import time
import uuid

from django.conf import settings
from django.core.management.base import CommandError

from core import events
from core.commands import DatabaseCommand
from core.events import DomainEvent
from core.testing.worker import celery_worker, percentile, wait_for
from webhooks_app import services, signing
from webhooks_app import subscribers as webhook_subscribers
from webhooks_app.models import WebhookDelivery, WebhookEndpoint
from webhooks_app.testing import WebhookReceiver


class Command(DatabaseCommand):
    help = "Deliver N webhook events to a local receiver through one worker; print throughput and latency."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--events", type=int, default=1000)
        parser.add_argument(
            "--rate", type=float, default=0.0, help="Events published per second (0: all at once, a burst)."
        )
        parser.add_argument("--timeout", type=float, default=900.0, help="Seconds to wait for every delivery.")

    def handle(self, *args, events: int, rate: float, timeout: float, **options) -> None:
        count = events
        queue = f"bench-webhooks-{uuid.uuid4().hex[:8]}"
        settings.WEBHOOK_QUEUE = queue
        settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        holder: dict[str, WebhookEndpoint] = {}
        with WebhookReceiver(verify_secret=lambda: holder["endpoint"].secret) as receiver:
            endpoint = holder["endpoint"] = services.endpoint_create(name=f"bench {queue}", url=receiver.url("/bench"))
            env = {"WEBHOOK_QUEUE": queue, "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "LOG_LEVEL": "WARNING"}
            try:
                with celery_worker(queue=queue, concurrency=1, extra_env=env) as (process, _):
                    self.stdout.write(
                        f"worker pid {process.pid} on {settings.CELERY_BROKER_URL.split(':')[0]}, "
                        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
                    )
                    self._publish(1)  # warm-up: the worker is up and has imported everything
                    receiver.wait_for(1, timeout=120)
                    published = self._publish(count, rate=rate)
                    received = receiver.wait_for(count + 1, timeout=timeout)[1:]
                    # The worker records each success just after the receiver answered.
                    wait_for(
                        lambda: (
                            WebhookDelivery.objects.filter(endpoint=endpoint, status="succeeded").count() == count + 1
                        ),
                        timeout=30,
                        message="the worker to record the last deliveries",
                    )
            finally:
                endpoint.delete()  # and its deliveries
        self._report(count, published, received)

    def _publish(self, count: int, *, rate: float = 0.0) -> dict[str, float]:
        published: dict[str, float] = {}
        started = time.perf_counter()
        for index in range(count):
            if rate:
                time.sleep(max(0.0, started + index / rate - time.perf_counter()))
            event = DomainEvent(type=events.USER_LOGIN, data={"user_id": index, "email": f"rep{index}@bench.test"})
            published[signing.message_id_for(event.id)] = time.time()
            webhook_subscribers.enqueue_webhooks(event)
        return published

    def _report(self, count: int, published: dict[str, float], received) -> None:
        unverified = [r for r in received if not r.verified]
        if unverified:
            raise CommandError(f"{len(unverified)} deliveries failed verification: {unverified[0].verification_error}")
        latencies = [r.received_at - published[r.headers["webhook-id"]] for r in received]
        if len({r.headers["webhook-id"] for r in received}) != count:
            raise CommandError("duplicate or missing deliveries")
        elapsed = max(r.received_at for r in received) - min(published.values())
        self.stdout.write(
            f"\n{count} events → {len(received)} verified deliveries in {elapsed:.1f} s: "
            f"{count / elapsed:.1f} deliveries/s with one worker\n"
            f"latency event → receipt: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
        leftover = WebhookDelivery.objects.filter(endpoint__name__startswith="bench ").count()
        if leftover:
            self.stderr.write(f"{leftover} benchmark deliveries left in the database")
