"""The champions the fault scripts analyse, and what those analyses left behind. Imported
once Django is set up (``common.django_ready``)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from adminpanel.models import ActivityLog
from champions.models import Champion
from champions.services import champion_analysis_request, champion_create_from_upload
from core import events
from emails_app.models import EmailLog
from webhooks_app import signing
from webhooks_app.models import WebhookDelivery, WebhookEndpoint

NAMES = itertools.count(1)


def analysis_start(mp4: Path) -> int:
    owner = User.objects.create_user(email=f"rep{next(NAMES)}-{time.time_ns()}@chaos.test", password=None)
    upload = SimpleUploadedFile("call.mp4", mp4.read_bytes(), content_type="video/mp4")
    champion = champion_create_from_upload(owner=owner, uploaded_file=upload, name="chaos")
    champion_analysis_request(champion=champion)
    return champion.pk


def row(champion_id: int) -> Champion:
    return Champion.objects.only("status", "step", "step_started_at", "step_attempts", "owner_id").get(pk=champion_id)


def claimed(champion_id: int, step: str) -> bool:
    champion = row(champion_id)
    return champion.status == "processing" and champion.step == step and champion.step_started_at is not None


def ended(champion_id: int) -> bool:
    return row(champion_id).status in ("ready", "failed")


def playbook(champion_id: int) -> tuple[list, list]:
    champion = Champion.objects.get(pk=champion_id)
    patterns = champion.patterns.order_by("position").values_list(
        "category", "text", "start", "end", "occurrences", "embedding"
    )
    scenarios = champion.scenarios.order_by("position").values_list("title", "difficulty", "objections", "persona")
    return [(*p[:5], bytes(p[5] or b"")) for p in patterns], list(scenarios)


def notices(champion_id: int) -> tuple[int, int, int]:
    """champion.analyzed events, webhook deliveries and emails the champion caused, once the
    light queue has had time to send them."""
    owner_id = row(champion_id).owner_id
    counts = None
    for _ in range(40):  # until two reads a second apart agree
        now = (
            ActivityLog.objects.filter(action=events.CHAMPION_ANALYZED, resource_id=str(champion_id)).count(),
            WebhookDelivery.objects.filter(
                event_type=events.CHAMPION_ANALYZED, payload__data__champion_id=champion_id
            ).count(),
            EmailLog.objects.filter(user_id=owner_id, trigger="champion_ready").count(),
        )
        if now == counts and all(now):
            break
        counts = now
        time.sleep(1)
    return counts


def webhook_endpoint_add() -> None:
    """An endpoint for every event: each event makes one delivery row (sent to a host that
    does not resolve, so it stays due and is retried, never duplicated)."""
    WebhookEndpoint.objects.create(name="chaos", url="https://hooks.chaos.invalid/in", secret=signing.secret_generate())
