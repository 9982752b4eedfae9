"""Assignments (README.md, "Teams"): a manager asks members to practise one scenario of a
published team champion until they pass it. A completed session on that scenario counts as an
attempt by itself (:func:`record_attempt`, called where a session ends); a periodic sweep
reminds assignees a day before the due date and flags them overdue after it.

Every counter moves by conditional UPDATEs (``attempts = attempts + 1``, ``passed_at`` set
only where it is still null), so two sessions completing at once both count and an event
goes out once however many workers or beats run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import User
from champions.models import Champion, Scenario
from core import events
from core.errors import InvalidInput, NotFound
from core.prepared import PreparedQuery, PreparedRows
from teams.models import Membership, Role, Team
from training.models import Assignment, AssignmentAssignee, TrainingSession

ALL_REPS = "all"
# The reminder goes out once an unpassed assignment is due within this long.
DUE_SOON_WINDOW = timedelta(hours=24)
# What the lists read of an assignment (not the champion's transcript, nor who created it).
ASSIGNMENT_FIELDS = (
    "id",
    "team",
    "champion",
    "scenario",
    "scenario_title",
    "due_at",
    "pass_score",
    "min_attempts",
    "created_at",
    "cancelled_at",
)


def _assignment_scenario(team: Team, scenario_id: int) -> Scenario:
    """A scenario of a ready, published champion of ``team``. Another team's scenario reads as
    missing (the same message as an id that does not exist): ids never leak across teams."""
    scenario = Scenario.objects.select_related("champion").filter(pk=scenario_id, champion__team=team).first()
    if scenario is None:
        raise InvalidInput("No such scenario in this team.", fields={"scenario_id": ["No such scenario in this team."]})
    champion = scenario.champion
    if champion.status != Champion.Status.READY or champion.published_at is None:
        message = f"The champion {champion.name!r} must be analysed and published before its scenarios are assigned."
        raise InvalidInput(message, fields={"scenario_id": [message]})
    return scenario


def _assignee_ids(team: Team, assignee_ids: list[int] | Literal["all"]) -> list[int]:
    """``"all"``: the team's current reps. A list: current members only (managers too)."""
    if assignee_ids == ALL_REPS:
        reps = list(
            Membership.objects.filter(team=team, role=Role.REP)
            .order_by("joined_at", "id")
            .values_list("user_id", flat=True)
        )
        if not reps:
            message = "The team has no reps yet: invite some, or name the members to assign."
            raise InvalidInput(message, fields={"assignee_ids": [message]})
        return reps
    wanted = list(dict.fromkeys(assignee_ids))
    members = set(Membership.objects.filter(team=team, user_id__in=wanted).values_list("user_id", flat=True))
    if strangers := [user_id for user_id in wanted if user_id not in members]:
        message = f"Not members of this team: {', '.join(map(str, strangers))}."
        raise InvalidInput(message, fields={"assignee_ids": [message]})
    return wanted


def assignment_event_data(assignment: Assignment, **extra: object) -> dict:
    """The data of every assignment event (core.events: one event per assignee)."""
    return {
        "assignment_id": assignment.pk,
        "team_id": assignment.team_id,
        "team_name": assignment.team.name,
        "champion_id": assignment.champion_id,
        "champion_name": assignment.champion.name,
        "scenario_title": assignment.scenario_title,
        "due_at": assignment.due_at.isoformat(),
        "pass_score": assignment.pass_score,
        "min_attempts": assignment.min_attempts,
        **extra,
    }


def _publish(event_type: str, assignment: Assignment, user_id: int, **extra: object) -> None:
    events.publish(
        event_type,
        data=assignment_event_data(assignment, **extra),
        user_id=user_id,
        resource_type="assignment",
        resource_id=assignment.pk,
    )


@transaction.atomic
def assignment_create(
    *,
    team: Team,
    created_by: User,
    scenario_id: int,
    assignee_ids: list[int] | Literal["all"],
    due_at: datetime,
    pass_score: int,
    min_attempts: int = 1,
) -> Assignment:
    """The caller must manage ``team`` (the view checks it with ``teams.selectors.managed_team``).
    Only sessions completed from now on count as attempts."""
    if due_at <= timezone.now():
        raise InvalidInput("The due date is in the past.", fields={"due_at": ["Must be in the future."]})
    scenario = _assignment_scenario(team, scenario_id)
    user_ids = _assignee_ids(team, assignee_ids)
    assignment = Assignment.objects.create(
        team=team,
        champion=scenario.champion,
        scenario=scenario,
        scenario_title=scenario.title,
        created_by=created_by,
        due_at=due_at,
        pass_score=pass_score,
        min_attempts=min_attempts,
    )
    AssignmentAssignee.objects.bulk_create(
        [AssignmentAssignee(assignment=assignment, user_id=user_id) for user_id in user_ids]
    )
    for user_id in user_ids:
        _publish(events.ASSIGNMENT_CREATED, assignment, user_id)
    return assignment


@transaction.atomic
def assignment_cancel(*, team: Team, assignment_id: int) -> Assignment:
    """Cancels an open assignment of ``team``: it leaves every list; its rows stay for the record."""
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id, team=team, cancelled_at=None).first()
    if assignment is None:
        raise NotFound("No such assignment.")
    assignment.cancelled_at = timezone.now()
    assignment.save(update_fields=["cancelled_at"])
    return assignment


def _still_member() -> Exists:
    """The assignee is still a member of the assignment's team (a removed member's rows stay,
    but nothing counts or reminds on them)."""
    return Exists(Membership.objects.filter(team_id=OuterRef("assignment__team_id"), user_id=OuterRef("user_id")))


def _open_assignees_of_session(session: TrainingSession) -> QuerySet[AssignmentAssignee]:
    """The user's unpassed, uncancelled assignments on the session's scenario. A re-analysis
    replaces a champion's scenarios (the assignment's scenario becomes null): then the scenario
    of the same title on the same champion is the one assigned."""
    title = (session.scenario_snapshot or {}).get("title") or ""
    same_scenario = Q(assignment__scenario_id=session.scenario_id) if session.scenario_id else Q(pk__in=[])
    replaced = Q(assignment__scenario__isnull=True, assignment__scenario_title=title) if title else Q(pk__in=[])
    return AssignmentAssignee.objects.filter(
        same_scenario | replaced,
        _still_member(),
        user_id=session.user_id,
        passed_at__isnull=True,
        assignment__champion_id=session.champion_id,
        assignment__cancelled_at__isnull=True,
        assignment__created_at__lte=session.ended_at or timezone.now(),
    )


def record_attempt(session: TrainingSession) -> int:
    """A completed session counts once on each of its user's open assignments of its scenario;
    an assignee passes once attempts ≥ min_attempts and the best score ≥ the pass score
    (``assignment.passed`` published once). Runs inside the session's completion transaction;
    returns how many assignees it counted on. Overdue assignments still count: passing late is
    passing. A passed assignee's counters stop: they say what it took to pass."""
    if session.status != TrainingSession.Status.COMPLETED or session.overall_score is None:
        return 0
    if session.turn_count < 3:
        # Only the prospect's opening line: ending a session without one reply is no attempt.
        return 0
    assignee_ids = list(_open_assignees_of_session(session).values_list("pk", flat=True))
    if not assignee_ids:
        return 0
    score = session.overall_score
    # One UPDATE, computed by the database from the row's current values: two completions at
    # once are serialized on the row and both count.
    AssignmentAssignee.objects.filter(pk__in=assignee_ids).update(
        attempts=F("attempts") + 1, best_score=Greatest(Coalesce(F("best_score"), Value(score)), Value(score))
    )
    _mark_passed(assignee_ids)
    return len(assignee_ids)


def _mark_passed(assignee_ids: Iterable[int]) -> None:
    now = timezone.now()
    reached = AssignmentAssignee.objects.filter(
        pk__in=list(assignee_ids),
        passed_at__isnull=True,
        attempts__gte=F("assignment__min_attempts"),
        best_score__gte=F("assignment__pass_score"),
    ).select_related("assignment__team", "assignment__champion")
    for assignee in reached:
        # The claim: only the completion whose UPDATE sets passed_at publishes the event.
        if AssignmentAssignee.objects.filter(pk=assignee.pk, passed_at__isnull=True).update(passed_at=now):
            assignee.refresh_from_db(fields=["best_score"])
            _publish(events.ASSIGNMENT_PASSED, assignee.assignment, assignee.user_id, best_score=assignee.best_score)


def _unpassed_assignees() -> QuerySet[AssignmentAssignee]:
    return AssignmentAssignee.objects.filter(
        _still_member(), passed_at__isnull=True, assignment__cancelled_at__isnull=True
    ).select_related("assignment__team", "assignment__champion")


def _claim_and_publish(candidates: QuerySet[AssignmentAssignee], stamp: str, event_type: str, now: datetime) -> int:
    """Sets ``stamp`` on each candidate where it is still null and publishes ``event_type`` for
    the rows this run set: a re-run, or two beats at once, never publish twice."""
    published = 0
    # A list, not a cursor held open across the claims: a sweep's candidates are few.
    for assignee in list(candidates):
        with transaction.atomic():
            if AssignmentAssignee.objects.filter(pk=assignee.pk, **{f"{stamp}__isnull": True}).update(**{stamp: now}):
                _publish(event_type, assignee.assignment, assignee.user_id)
                published += 1
    return published


def assignments_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic sweep: ``assignment.due_soon`` once per unpassed assignee when the due date
    is within a day, ``assignment.overdue`` once when it has gone by."""
    now = now or timezone.now()
    unpassed = _unpassed_assignees()
    due_soon = unpassed.filter(
        reminded_at__isnull=True, assignment__due_at__gt=now, assignment__due_at__lte=now + DUE_SOON_WINDOW
    )
    overdue = unpassed.filter(overdue_at__isnull=True, assignment__due_at__lte=now)
    return {
        "due_soon": _claim_and_publish(due_soon, "reminded_at", events.ASSIGNMENT_DUE_SOON, now),
        "overdue": _claim_and_publish(overdue, "overdue_at", events.ASSIGNMENT_OVERDUE, now),
    }


# --- Reads (the assignment lists) ---------------------------------------------------------


def team_assignments(team: Team) -> QuerySet[Assignment]:
    """The team's open (uncancelled) assignments, soonest due first, each with its current
    members' rows (``assignee_rows``): two queries whatever the number of rows."""
    assignees = (
        AssignmentAssignee.objects.filter(_still_member())
        .select_related("user")
        .only("id", "assignment", "user", "attempts", "best_score", "passed_at", "user__full_name")
        .order_by("user__full_name", "id")
    )
    return (
        Assignment.objects.filter(team=team, cancelled_at__isnull=True)
        .select_related("champion")
        .only(*ASSIGNMENT_FIELDS, "champion__name")
        .prefetch_related(Prefetch("assignees", queryset=assignees, to_attr="assignee_rows"))
        .order_by("due_at", "id")
    )


def assignments_of(user: User) -> QuerySet[AssignmentAssignee]:
    """The caller's assignments in the teams they are still a member of, uncancelled, soonest
    due first (one query per page)."""
    return _assignments_of_user_id(user.pk)


def _assignments_of_user_id(user_id: int) -> QuerySet[AssignmentAssignee]:
    return (
        AssignmentAssignee.objects.filter(
            user_id=user_id,
            assignment__cancelled_at__isnull=True,
            assignment__team_id__in=Membership.objects.filter(user_id=user_id).values("team_id"),
        )
        .select_related("assignment__team", "assignment__champion")
        .only(
            "id",
            "assignment",
            "user",
            "attempts",
            "best_score",
            "passed_at",
            *(f"assignment__{name}" for name in ASSIGNMENT_FIELDS),
            "assignment__team__name",
            "assignment__champion__name",
        )
        .order_by("assignment__due_at", "assignment_id")
    )


# ``GET /assignments`` on every rep's home screen: building and compiling the query cost
# several times its run (issue 13), so it is compiled once per connection.
_my_assignments = PreparedQuery(_assignments_of_user_id)


def my_assignments(user: User) -> PreparedRows:
    """``assignments_of(user)``, a page at a time, each page one query."""
    return PreparedRows(_my_assignments, user.pk)
