"""``python manage.py bench_training``: latency of ``POST /training/respond`` through the whole
Django stack (middleware, auth, the offline judge and prospect, the database) and the number
of queries per respond, in process; then, with ``--reps N``, over HTTP for one rep and for N
reps at once against gunicorn with 2 workers (``benchmarks/bench_api.py``'s respond part, on a
champion of a call looped to ``--call-minutes``, 2 hours unless given). A benchmark, not a
test: it prints figures."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_pair_for
from champions.scripted import champion_from_script
from core.commands import DatabaseCommand

REPLIES = (
    "I understand, price matters. What does a slow reply cost you today in lost customers?",
    "That is a fair concern. We can start with one team and prove the value in two weeks.",
    "ok",
    "Could you tell me more about how your team handles the busy season?",
    "As a next step, can we book thirty minutes on Tuesday with your finance director?",
)

# Parts of the varied replies (every reply a different text, so no cache serves a repeat).
OPENERS = ("I hear you.", "Fair point.", "That makes sense.", "Understood.", "Good question.")
BODIES = (
    "What does a slow reply cost you today in lost customers?",
    "We can start with one team and prove the value in two weeks.",
    "Teams like yours cut their response time by a third within a month.",
    "Could you tell me more about how your team handles the busy season?",
    "It plugs into the tools you already use, so nothing changes for your agents.",
    "You only pay for the seats you use, and you can cancel any month.",
    "Who else would need to be part of the decision?",
    "As a next step, can we book thirty minutes on Tuesday with your finance director?",
)


def reply_text(index: int, *, varied: bool) -> str:
    if not varied:
        return REPLIES[index % len(REPLIES)]
    opener = OPENERS[index % len(OPENERS)]
    body = BODIES[(index // len(OPENERS)) % len(BODIES)]
    extra = BODIES[(index // (len(OPENERS) * len(BODIES)) + index) % len(BODIES)]
    return f"{opener} {body} {extra}" if extra != body else f"{opener} {body}"


class Command(DatabaseCommand):
    help = "Benchmark POST /training/respond with the offline engine: p50/p95 latency and queries per respond."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--replies", type=int, default=200)
        parser.add_argument(
            "--call-minutes",
            type=float,
            default=None,
            help="Loop the champion's call to this length first (a champion from a long call).",
        )
        parser.add_argument("--varied", action="store_true", help="A different reply text every time.")
        parser.add_argument(
            "--reps",
            type=int,
            default=0,
            help="Then over HTTP (gunicorn, 2 workers): one rep, and this many at once, every reply a new text.",
        )

    def handle(self, *args, replies: int, call_minutes: float | None, varied: bool, reps: int, **options) -> None:
        self.in_process(replies=replies, call_minutes=call_minutes, varied=varied)
        if reps:
            script = Path(settings.BASE_DIR) / "benchmarks" / "bench_api.py"
            minutes = str(call_minutes or 120.0)
            self.stdout.flush()
            arguments = ["--rounds", "0", "--duration", "5", "--respond-reps", str(reps), "--call-minutes", minutes]
            subprocess.run([sys.executable, str(script), *arguments], check=True)

    def in_process(self, *, replies: int, call_minutes: float | None, varied: bool) -> None:
        user, _ = User.objects.get_or_create(email="bench-training@bench.championclone.test")
        champion = champion_from_script(user, "saas_helpdesk", call_minutes=call_minutes)
        self.stdout.write(
            f"champion from a {champion.duration_seconds / 60:.1f}-minute call, {champion.patterns.count()} patterns"
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user).access_token}")
        settings.RATELIMIT_ENABLE = False  # the benchmark sends far more than 60 a minute
        latencies: list[float] = []
        queries: list[int] = []
        session_id = None
        messages_in_session = []
        for index in range(replies):
            if session_id is None:
                session_id = client.post("/training/start", {"champion_id": champion.pk}, format="json").json()[
                    "session"
                ]["id"]
            connection.queries_log.clear()  # it keeps 9,000 entries; a full log reads as zero new queries
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(
                    "/training/respond",
                    {"session_id": session_id, "message": reply_text(index, varied=varied)},
                    format="json",
                )
                latencies.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
            body = response.json()
            messages_in_session.append(body["session"]["turn_count"])
            if body["session"]["outcome"]:
                client.post("/training/end", {"session_id": session_id}, format="json")
                session_id = None
        user.delete()
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        self.stdout.write(
            f"respond x{len(latencies)} (offline engine): p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms; queries per respond: min {min(queries)}, max {max(queries)} "
            f"(sessions up to {max(messages_in_session)} messages)"
        )
