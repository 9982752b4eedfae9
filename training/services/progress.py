"""What a manager follows (``GET /teams/{id}/progress``): per member, their completed sessions
on the team's champions, the average and best score per champion and per criterion, the gap
to the champion, and their assignments passed and overdue.

These are reads (the selectors of the team pages); they live beside the assignment services
that keep the counters they read. Four queries whatever the team's size: the members, the
champion filter's check, one aggregate row per member and champion (scores and criteria averaged
in the database), one aggregate of the assignments.

The gap to the champion is ``100 - average``: the judge scores a reply against the champion's
own moves, so 100 is the champion's own level (the convention of ``GET /training/progress``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, Exists, FloatField, Max, OuterRef, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from agents.reasoning.judge.criteria import WEIGHTS as JUDGE_CRITERIA
from champions.models import Champion
from core.errors import InvalidInput
from teams.models import Membership, Team
from teams.selectors import team_members
from training.models import AssignmentAssignee, TrainingSession

CHAMPION_LEVEL = 100.0
# The criteria both judges score (one list, the offline judge's weights).
CRITERIA = tuple(JUDGE_CRITERIA)


def _figures(average: float | None, best: float | None) -> dict:
    if average is None:
        return {"average_score": None, "best_score": None, "gap_to_champion": None}
    return {
        "average_score": round(average, 1),
        "best_score": round(best, 1),
        "gap_to_champion": round(CHAMPION_LEVEL - average, 1),
    }


@dataclass
class _ChampionScores:
    """One member's completed sessions on one champion, as the database aggregated them."""

    name: str
    sessions: int
    scored: int  # sessions with an overall score
    total: float  # their sum, for the member's average over every session
    average: float | None
    best: float | None
    criteria: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)  # average, best

    def figures(self, champion_id: int) -> dict:
        return {
            "champion_id": champion_id,
            "champion_name": self.name,
            "sessions": self.sessions,
            **_figures(self.average, self.best),
            "criteria": {
                name: _figures(average, best)
                for name, (average, best) in sorted(self.criteria.items())
                if average is not None
            },
        }


def current_member_of_team(team: Team) -> Exists:
    """The row's ``user_id`` is a current member of ``team`` (a removed member's sessions stay
    theirs and leave the team's figures)."""
    return Exists(Membership.objects.filter(team=team, user_id=OuterRef("user_id")))


def _checked_champion_id(team: Team, champion_id: int | None) -> int | None:
    if champion_id is not None and not Champion.objects.filter(pk=champion_id, team=team).exists():
        message = "No such champion in this team."
        raise InvalidInput(message, fields={"champion_id": [message]})
    return champion_id


def _criterion(name: str) -> Cast:
    return Cast(KT(f"comparison_to_champion__criteria__{name}"), FloatField())


def _session_scores(
    team: Team, champion_id: int | None, since: datetime | None
) -> dict[int, dict[int, _ChampionScores]]:
    """Per member and champion: the completed sessions' overall scores and, per criterion, each
    session's average (what ``session_end`` keeps in ``comparison_to_champion["criteria"]``),
    averaged in the database: one row per member and champion, not one per session."""
    sessions = TrainingSession.objects.filter(
        current_member_of_team(team), champion__team=team, status=TrainingSession.Status.COMPLETED
    )
    if champion_id is not None:
        sessions = sessions.filter(champion_id=champion_id)
    if since is not None:
        sessions = sessions.filter(ended_at__gte=since)
    criteria = {}
    for name in CRITERIA:
        criteria[f"{name}__average"] = Avg(_criterion(name))
        criteria[f"{name}__best"] = Max(_criterion(name))
    rows = (
        sessions.order_by()
        .values("user_id", "champion_id", "champion__name")
        .annotate(
            sessions=Count("id"),
            scored=Count("overall_score"),
            total=Sum("overall_score"),
            average=Avg("overall_score"),
            best=Max("overall_score"),
            **criteria,
        )
    )
    per_member: dict[int, dict[int, _ChampionScores]] = defaultdict(dict)
    for row in rows:
        per_member[row["user_id"]][row["champion_id"]] = _ChampionScores(
            name=row["champion__name"],
            sessions=row["sessions"],
            scored=row["scored"],
            total=row["total"] or 0.0,
            average=row["average"],
            best=row["best"],
            criteria={name: (row[f"{name}__average"], row[f"{name}__best"]) for name in CRITERIA},
        )
    return per_member


def _assignment_counts(team: Team, champion_id: int | None) -> dict[int, dict[str, int]]:
    now = timezone.now()
    assignees = AssignmentAssignee.objects.filter(assignment__team=team, assignment__cancelled_at__isnull=True)
    if champion_id is not None:
        assignees = assignees.filter(assignment__champion_id=champion_id)
    rows = (
        assignees.order_by()
        .values("user_id")
        .annotate(
            assigned=Count("id"),
            passed=Count("id", filter=Q(passed_at__isnull=False)),
            overdue=Count("id", filter=Q(passed_at__isnull=True, assignment__due_at__lt=now)),
        )
    )
    return {row.pop("user_id"): row for row in rows}


def team_progress(*, team: Team, champion_id: int | None = None, since: datetime | None = None) -> list[dict]:
    """One entry per current member, in the order they joined."""
    champion_id = _checked_champion_id(team, champion_id)
    members = list(team_members(team))
    scores = _session_scores(team, champion_id, since)
    counts = _assignment_counts(team, champion_id)
    progress = []
    for membership in members:
        champions = scores.get(membership.user_id, {})
        scored = sum(entry.scored for entry in champions.values())
        average = sum(entry.total for entry in champions.values()) / scored if scored else None
        best = max((entry.best for entry in champions.values() if entry.best is not None), default=None)
        progress.append(
            {
                "user_id": membership.user_id,
                "full_name": membership.user.full_name,
                "email": membership.user.email,
                "role": membership.role,
                "sessions": sum(entry.sessions for entry in champions.values()),
                **_figures(average, best),
                "champions": [
                    entry.figures(cid) for cid, entry in sorted(champions.items(), key=lambda item: item[1].name)
                ],
                "assignments": counts.get(membership.user_id, {"assigned": 0, "passed": 0, "overdue": 0}),
            }
        )
    return progress
