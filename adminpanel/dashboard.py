"""The admin dashboard's figures (the report's /admin/stats*): a fixed number of aggregate
queries whatever the size of the tables, cached for DASHBOARD_CACHE_SECONDS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import JOURNEY_ORDER, JourneyStage, Plan, User
from accounts.selectors import churn_risk_q
from adminpanel.models import ActivityLog, AdminAlert, ErrorLog
from champions.models import Champion
from emails_app.models import EmailLog
from teams.models import Membership, Role, Team
from training.models import AssignmentAssignee, TrainingSession
from webhooks_app.models import WebhookDelivery, WebhookEndpoint

CACHE_KEY = "adminpanel:dashboard:v2"
TEAMS_SHOWN = 10


def churn_risk_filter(now=None) -> Q:
    return churn_risk_q(days=settings.CHURN_RISK_DAYS, now=now)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def funnel(stage_counts: dict[str, int]) -> list[dict[str, Any]]:
    """Users who reached each stage (or went past it) and the conversion from the previous
    one. Churned users are counted apart: their last stage before churning is not kept."""
    ordered = [s for s in JourneyStage.values if s != JourneyStage.CHURNED]
    rows, previous = [], None
    for stage in ordered:
        reached = sum(
            n for s, n in stage_counts.items() if s != JourneyStage.CHURNED and JOURNEY_ORDER[s] >= JOURNEY_ORDER[stage]
        )
        rows.append(
            {
                "stage": stage,
                "label": JourneyStage(stage).label,
                "users": stage_counts.get(stage, 0),
                "reached": reached,
                "conversion": _percent(reached, previous) if previous is not None else None,
            }
        )
        previous = reached
    rows.append(
        {
            "stage": JourneyStage.CHURNED,
            "label": JourneyStage.CHURNED.label,
            "users": stage_counts.get(JourneyStage.CHURNED, 0),
            "reached": None,
            "conversion": None,
        }
    )
    return rows


def _user_figures(now, week_ago, month_ago) -> dict[str, Any]:
    users = User.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        new_7d=Count("id", filter=Q(date_joined__gte=week_ago)),
        new_30d=Count("id", filter=Q(date_joined__gte=month_ago)),
        churn_risk=Count("id", filter=churn_risk_filter(now)),
    )
    by_plan = dict(User.objects.order_by().values_list("subscription_plan").annotate(n=Count("id")))
    return {**users, "by_plan": [(Plan(p).label, by_plan.get(p, 0)) for p in Plan.values]}


def _practice_figures(week_ago, month_ago) -> tuple[list, dict[str, Any]]:
    champions = dict(Champion.objects.order_by().values_list("status").annotate(n=Count("id")))
    completed = TrainingSession.Status.COMPLETED
    # Bounded to the sessions begun in 30 days (an index range): every session ever would be a
    # scan of the whole table on each render.
    sessions = TrainingSession.objects.filter(started_at__gte=month_ago).aggregate(
        this_week=Count("id", filter=Q(started_at__gte=week_ago)),
        completed_this_week=Count("id", filter=Q(started_at__gte=week_ago, status=completed)),
        average_score=Avg("overall_score", filter=Q(status=completed)),
    )
    average = sessions["average_score"]
    return (
        [(Champion.Status(s).label, champions.get(s, 0)) for s in Champion.Status.values],
        {**sessions, "average_score": round(average, 1) if average is not None else None},
    )


def _activity_per_day(now, month_ago) -> list[tuple[Any, int]]:
    per_day = dict(
        ActivityLog.objects.filter(created_at__gte=month_ago)
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    days = [(now - timedelta(days=offset)).date() for offset in range(29, -1, -1)]
    return [(day, per_day.get(day, 0)) for day in days]


def _error_figures() -> dict[str, Any]:
    errors_by_type = list(
        ErrorLog.objects.filter(resolved=False)
        .order_by()
        .values_list("error_type")
        .annotate(n=Count("id"))
        .order_by("-n")[:8]
    )
    return {"unresolved": sum(n for _, n in errors_by_type), "by_type": errors_by_type}


def _email_figures() -> dict[str, Any]:
    emails = EmailLog.objects.aggregate(
        sent=Count("id", filter=Q(status=EmailLog.Status.SENT)),
        failed=Count("id", filter=Q(status=EmailLog.Status.FAILED)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
    )
    return {
        **emails,
        "open_rate": _percent(emails["opened"], emails["sent"]),
        "click_rate": _percent(emails["clicked"], emails["sent"]),
    }


def _webhook_figures(month_ago) -> dict[str, Any]:
    open_statuses = [WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
    deliveries = WebhookDelivery.objects.filter(created_at__gte=month_ago).aggregate(
        succeeded=Count("id", filter=Q(status=WebhookDelivery.Status.SUCCEEDED)),
        failed=Count("id", filter=Q(status=WebhookDelivery.Status.FAILED)),
        pending=Count("id", filter=Q(status__in=open_statuses)),
    )
    failing_endpoints = list(
        WebhookEndpoint.objects.filter(Q(consecutive_failures__gt=0) | Q(is_active=False))
        .order_by("-consecutive_failures")
        .values("id", "name", "is_active", "consecutive_failures", "disabled_reason")[:10]
    )
    finished = deliveries["succeeded"] + deliveries["failed"]
    return {
        **deliveries,
        "success_rate": _percent(deliveries["succeeded"], finished),
        "failing_endpoints": failing_endpoints,
    }


def _active_reps_per_team(month_ago) -> dict[int, int]:
    """Per team, its reps who completed a session on one of its champions in 30 days: from the
    sessions of those 30 days (an index range), not a probe of every membership's sessions."""
    is_rep_of_team = Membership.objects.filter(
        team_id=OuterRef("champion__team_id"), user_id=OuterRef("user_id"), role=Role.REP
    )
    return dict(
        TrainingSession.objects.filter(
            Exists(is_rep_of_team),
            status=TrainingSession.Status.COMPLETED,
            ended_at__gte=month_ago,
            champion__team_id__isnull=False,
        )
        .order_by()
        .values_list("champion__team_id")
        .annotate(n=Count("user_id", distinct=True))
    )


def _team_figures(now, month_ago) -> dict[str, Any]:
    """Teams (README.md, "Teams"): how many; per team, its reps and the reps active in 30
    days (a session completed on one of the team's champions), the most active first; and
    assignment completion: passed out of the open and passed ones (not cancelled, overdue
    apart). Four queries whatever the number of teams."""
    active = _active_reps_per_team(month_ago)
    reps = Membership.objects.filter(role=Role.REP).order_by().values_list("team_id", "team__name")
    per_team = sorted(
        (
            {"id": team_id, "name": name, "reps": count, "active_reps": active.get(team_id, 0)}
            for team_id, name, count in reps.annotate(n=Count("id"))
        ),
        key=lambda row: (-row["active_reps"], -row["reps"], row["id"]),
    )[:TEAMS_SHOWN]
    live = AssignmentAssignee.objects.filter(assignment__cancelled_at__isnull=True)
    assignees = live.aggregate(
        passed=Count("id", filter=Q(passed_at__isnull=False)),
        open=Count("id", filter=Q(passed_at__isnull=True, assignment__due_at__gt=now)),
        overdue=Count("id", filter=Q(passed_at__isnull=True, assignment__due_at__lte=now)),
    )
    return {
        "total": Team.objects.count(),
        "per_team": per_team,
        "assignees": assignees,
        "completion": _percent(assignees["passed"], assignees["passed"] + assignees["open"]),
    }


def compute(now=None) -> dict[str, Any]:
    now = now or timezone.now()
    week_ago, month_ago = now - timedelta(days=7), now - timedelta(days=30)
    stages = dict(User.objects.order_by().values_list("journey_stage").annotate(n=Count("id")))
    champions, sessions = _practice_figures(week_ago, month_ago)
    return {
        "generated_at": now,
        "users": _user_figures(now, week_ago, month_ago),
        "funnel": funnel(stages),
        "champions": champions,
        "sessions": sessions,
        "teams": _team_figures(now, month_ago),
        "activity": _activity_per_day(now, month_ago),
        "errors": _error_figures(),
        "emails": _email_figures(),
        "webhooks": _webhook_figures(month_ago),
        "open_alerts": AdminAlert.objects.filter(is_read=False, dismissed_at__isnull=True).count(),
    }


def figures() -> dict[str, Any]:
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = compute()
        cache.set(CACHE_KEY, cached, settings.DASHBOARD_CACHE_SECONDS)
    return cached


def bar_chart_svg(points: list[tuple[Any, int]], *, width: int = 600, height: int = 140) -> str:
    """A server-side SVG bar chart (no JavaScript, no CDN). Values are numbers we computed, and
    labels are dates, so the markup holds nothing user-supplied."""
    top = max((value for _, value in points), default=0) or 1
    gap = 2
    bar = max(1, (width - gap * len(points)) // max(1, len(points)))
    parts = [
        f'<svg class="cc-chart" role="img" aria-label="Activity per day" viewBox="0 0 {width} {height + 20}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(points):
        h = round((height - 10) * value / top)
        x = index * (bar + gap)
        parts.append(
            f'<rect x="{x}" y="{height - h}" width="{bar}" height="{h}" fill="#417690">'
            f"<title>{label}: {int(value)}</title></rect>"
        )
    if points:
        parts.append(f'<text x="0" y="{height + 15}" font-size="11" fill="#666">{points[0][0]}</text>')
        parts.append(
            f'<text x="{width}" y="{height + 15}" font-size="11" fill="#666" text-anchor="end">{points[-1][0]}</text>'
        )
    parts.append(f'<text x="{width}" y="10" font-size="11" fill="#666" text-anchor="end">max {int(top)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def funnel_svg(rows: list[dict[str, Any]], *, width: int = 600) -> str:
    steps = [row for row in rows if row["reached"] is not None]
    top = max((row["reached"] for row in steps), default=0) or 1
    row_height = 26
    parts = [
        f'<svg class="cc-chart" role="img" aria-label="Journey funnel" viewBox="0 0 {width} {row_height * len(steps)}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, row in enumerate(steps):
        w = max(2, round((width - 220) * row["reached"] / top))
        y = index * row_height
        conversion = f" ({row['conversion']}%)" if row["conversion"] is not None else ""
        parts.append(f'<rect x="200" y="{y + 3}" width="{w}" height="{row_height - 6}" fill="#79aec8"/>')
        parts.append(f'<text x="0" y="{y + 17}" font-size="12">{row["label"]}</text>')
        parts.append(f'<text x="{205 + w}" y="{y + 17}" font-size="12">{row["reached"]}{conversion}</text>')
    parts.append("</svg>")
    return "".join(parts)
