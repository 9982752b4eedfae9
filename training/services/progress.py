"""What a manager follows (``GET /teams/{id}/progress``): per member, their completed sessions
on the team's champions, the average and best score per champion and per criterion, the gap
to the champion, and their assignments passed and overdue.

These are reads (the selectors of the team pages); they live beside the assignment services
that keep the counters they read. Four queries whatever the team's size: the members, the
champion filter's check, one row per completed session, one aggregate of the assignments.

The gap to the champion is ``100 - average``: the judge scores a reply against the champion's
own moves, so 100 is the champion's own level (the convention of ``GET /training/progress``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from champions.models import Champion
from core.errors import InvalidInput
from teams.models import Membership, Team
from teams.selectors import team_members
from training.models import AssignmentAssignee, TrainingSession

CHAMPION_LEVEL = 100.0


@dataclass
class _Scores:
    """Scores of sessions, one value per session, kept to average and to take the best of."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float | None) -> None:
        if value is not None:
            self.values.append(float(value))

    def figures(self) -> dict:
        if not self.values:
            return {"average_score": None, "best_score": None, "gap_to_champion": None}
        average = sum(self.values) / len(self.values)
        return {
            "average_score": round(average, 1),
            "best_score": round(max(self.values), 1),
            "gap_to_champion": round(CHAMPION_LEVEL - average, 1),
        }


@dataclass
class _ChampionScores:
    name: str
    sessions: int = 0
    overall: _Scores = field(default_factory=_Scores)
    criteria: dict[str, _Scores] = field(default_factory=lambda: defaultdict(_Scores))

    def figures(self, champion_id: int) -> dict:
        return {
            "champion_id": champion_id,
            "champion_name": self.name,
            "sessions": self.sessions,
            **self.overall.figures(),
            "criteria": {name: scores.figures() for name, scores in sorted(self.criteria.items())},
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


def _session_scores(
    team: Team, champion_id: int | None, since: datetime | None
) -> dict[int, dict[int, _ChampionScores]]:
    """Per member and champion: the completed sessions' overall scores and, per criterion, each
    session's average (what ``session_end`` keeps in ``comparison_to_champion["criteria"]``)."""
    sessions = TrainingSession.objects.filter(
        current_member_of_team(team), champion__team=team, status=TrainingSession.Status.COMPLETED
    )
    if champion_id is not None:
        sessions = sessions.filter(champion_id=champion_id)
    if since is not None:
        sessions = sessions.filter(ended_at__gte=since)
    rows = sessions.order_by().values_list(
        "user_id", "champion_id", "champion__name", "overall_score", "comparison_to_champion"
    )
    per_member: dict[int, dict[int, _ChampionScores]] = defaultdict(dict)
    for user_id, row_champion_id, champion_name, overall_score, comparison in rows.iterator():
        scores = per_member[user_id].setdefault(row_champion_id, _ChampionScores(name=champion_name))
        scores.sessions += 1
        scores.overall.add(overall_score)
        for criterion, value in ((comparison or {}).get("criteria") or {}).items():
            scores.criteria[criterion].add(value)
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
        overall = _Scores([value for entry in champions.values() for value in entry.overall.values])
        progress.append(
            {
                "user_id": membership.user_id,
                "full_name": membership.user.full_name,
                "email": membership.user.email,
                "role": membership.role,
                "sessions": sum(entry.sessions for entry in champions.values()),
                **overall.figures(),
                "champions": [
                    entry.figures(cid) for cid, entry in sorted(champions.items(), key=lambda item: item[1].name)
                ],
                "assignments": counts.get(membership.user_id, {"assigned": 0, "passed": 0, "overdue": 0}),
            }
        )
    return progress
