"""The admin's Live page (``/django-admin/live/``, README.md, "Monitoring"): what the system is
doing now, refreshed every few seconds by ``adminpanel/static/adminpanel/live.js`` fetching the
server-rendered partial (``live/partial/``).

Three queries whatever the size of the tables (the analyses in progress, the last errors, the
open alerts) and two broker round trips with a one-second timeout each (queue depths, a ping of
the workers): a broker that does not answer shows as such instead of holding the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from adminpanel.models import AdminAlert, ErrorLog
from champions.models import Champion
from core.metrics.queues import queue_depths, workers_seen

VIEW_PERMISSION = "adminpanel.view_errorlog"  # support and administrators: the page shows errors
REFRESH_SECONDS = 5
ROWS = 20
BUSY = (Champion.Status.QUEUED, Champion.Status.PROCESSING)
STEP_FIELDS = (
    "id",
    "name",
    "owner",
    "step",
    "step_started_at",
    "step_heartbeat_at",
    "step_attempts",
    "analysis_started_at",
)


@dataclass(frozen=True)
class StepRow:
    champion_id: int
    name: str
    owner: str
    step: str
    state: str  # running, waiting or stalled
    since: datetime | None
    heartbeat_age: float | None
    attempts: int


def _step_state(champion: Champion, now: datetime) -> tuple[str, datetime | None, float | None]:
    """As the sweep judges it (``champions.pipeline.runner.analyses_stalled_claim``): a claimed
    step whose heartbeat stopped lost its worker; a waiting one may have lost its message."""
    beat = champion.step_heartbeat_at
    age = (now - beat).total_seconds() if beat else None
    if champion.step_started_at is not None:
        silent = age if age is not None else (now - champion.step_started_at).total_seconds()
        dead_after = (
            settings.CHAMPION_STEP_DEAD_AFTER_SECONDS if age is not None else settings.CHAMPION_STEP_STALE_SECONDS
        )
        return ("stalled" if silent > dead_after else "running"), champion.step_started_at, age
    waiting_since = beat or champion.analysis_started_at
    stale = waiting_since is not None and now - waiting_since > timedelta(seconds=settings.CHAMPION_STEP_STALE_SECONDS)
    return ("stalled" if stale else "waiting"), waiting_since, age


def pipeline_steps(now: datetime) -> list[StepRow]:
    champions = (
        Champion.objects.filter(status__in=BUSY, analysis_run__isnull=False)
        .select_related("owner")
        .only(*STEP_FIELDS, "owner__email")
        .order_by("analysis_started_at")[:ROWS]
    )
    rows = []
    for champion in champions:
        state, since, age = _step_state(champion, now)
        rows.append(
            StepRow(
                champion.pk,
                champion.name,
                champion.owner.email,
                champion.step or "–",
                state,
                since,
                age,
                champion.step_attempts,
            )
        )
    return rows


def _broker_read(read: Any) -> tuple[Any, str]:
    try:
        return read(), ""
    except Exception as exc:  # the page reports the broker's state instead of failing
        return None, f"{type(exc).__name__}: {exc}"[:200]


def live_figures() -> dict[str, Any]:
    now = timezone.now()
    depths, depths_error = _broker_read(queue_depths)
    workers, workers_error = _broker_read(workers_seen)
    return {
        "now": now,
        "queues": sorted((depths or {}).items()),
        "queues_error": depths_error,
        "workers": workers or [],
        "workers_error": workers_error,
        "steps": pipeline_steps(now),
        "errors": list(
            ErrorLog.objects.filter(resolved=False)
            .only("id", "error_type", "message", "source", "created_at")
            .order_by("-created_at")[:ROWS]
        ),
        "alerts": list(
            AdminAlert.objects.filter(is_read=False)
            .only("id", "type", "severity", "message", "created_at")
            .order_by("-created_at")[:ROWS]
        ),
    }


def _context(request: HttpRequest) -> dict[str, Any]:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return {"live": live_figures(), "refresh_seconds": REFRESH_SECONDS}


def live_view(request: HttpRequest, *, site: admin.AdminSite) -> HttpResponse:
    context = {**site.each_context(request), "title": "Live", **_context(request)}
    return TemplateResponse(request, "admin/adminpanel/live.html", context)


def live_partial_view(request: HttpRequest) -> HttpResponse:
    """The page's body alone, for the script to swap in (never cached: ``admin_view``)."""
    return TemplateResponse(request, "admin/adminpanel/live_partial.html", _context(request))
