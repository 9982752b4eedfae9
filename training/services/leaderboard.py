"""A team's leaderboard (``GET /teams/{id}/leaderboard``): each current member's best session
score on the team's published champions over the last ``days`` days, ranked. A read, beside
the team's progress; the team opts in (``Team.leaderboard_enabled``), the view checks it."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from core.errors import PermissionDenied
from teams.models import Team
from teams.selectors import team_members
from training.models import TrainingSession
from training.services.progress import current_member_of_team

DEFAULT_DAYS = 30
MAX_DAYS = 365


def _best_per_member(team: Team, days: int) -> dict[int, list[dict]]:
    """Per member, per published champion: the best score and the sessions (one aggregate)."""
    rows = (
        TrainingSession.objects.filter(
            current_member_of_team(team),
            champion__team=team,
            champion__published_at__isnull=False,
            status=TrainingSession.Status.COMPLETED,
            overall_score__isnull=False,
            ended_at__gte=timezone.now() - timedelta(days=days),
        )
        .order_by()
        .values("user_id", "champion_id", "champion__name")
        .annotate(best_score=Max("overall_score"), sessions=Count("id"))
    )
    per_member: dict[int, list[dict]] = {}
    for row in rows:
        per_member.setdefault(row["user_id"], []).append(
            {
                "champion_id": row["champion_id"],
                "champion_name": row["champion__name"],
                "best_score": round(row["best_score"], 1),
                "sessions": row["sessions"],
            }
        )
    return per_member


def team_leaderboard(*, team: Team, days: int = DEFAULT_DAYS) -> list[dict]:
    """Members with a session in the period, best first (equal bests share a rank: 1, 1, 3),
    then the members without one, unranked."""
    if not team.leaderboard_enabled:
        raise PermissionDenied("This team's leaderboard is turned off; a manager can turn it on.")
    best = _best_per_member(team, days)
    entries = []
    for membership in team_members(team):
        champions = sorted(best.get(membership.user_id, []), key=lambda c: c["champion_name"])
        entries.append(
            {
                "user_id": membership.user_id,
                "full_name": membership.user.full_name,
                "role": membership.role,
                "best_score": max((c["best_score"] for c in champions), default=None),
                "sessions": sum(c["sessions"] for c in champions),
                "champions": champions,
            }
        )
    entries.sort(key=lambda e: (e["best_score"] is None, -(e["best_score"] or 0), e["full_name"].lower()))
    rank, previous = 0, None
    for position, entry in enumerate(entries, start=1):
        if entry["best_score"] is None:
            entry["rank"] = None
            continue
        if entry["best_score"] != previous:
            rank, previous = position, entry["best_score"]
        entry["rank"] = rank
    return entries
