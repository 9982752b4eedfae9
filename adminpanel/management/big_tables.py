"""The rows of ``bench_big_tables``: users in teams, team champions, a year of practice sessions
with scores per criterion, assignments and a year of activity log, made fast and found again.

Every row hangs on a user whose email is ``bench-big-*@bench.invalid`` (teams are named
``Bench team *``), so a rerun finds them (``--reuse``) and a clean run deletes them first. On
PostgreSQL the two big tables are written with COPY (1,000,000 rows in well under a minute),
elsewhere with bulk_create in batches.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from auditlog.context import disable_auditlog
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import JourneyStage, Plan, Role, SubscriptionStatus, User
from adminpanel.models import ActivityLog
from champions.models import Champion
from core import events
from teams.models import Membership, Team
from teams.models import Role as TeamRole
from training.models import Assignment, AssignmentAssignee, TrainingSession

EMAIL_DOMAIN = "bench.invalid"  # RFC 2606: never a real mailbox
PREFIX = "bench-big-"
TEAM_PREFIX = "Bench team "
STAFF_EMAIL = f"{PREFIX}staff@{EMAIL_DOMAIN}"
BATCH = 10_000
DAYS = 365
CRITERIA = ("technique", "acknowledgment", "value_next_step", "discovery", "clarity")
# What users do, roughly as often as the product's events happen (logins dominate).
ACTIONS = {
    events.USER_LOGIN: ("user", 40),
    events.TRAINING_COMPLETED: ("training_session", 25),
    events.CHAMPION_CREATED: ("champion", 4),
    events.CHAMPION_ANALYZED: ("champion", 4),
    events.ASSIGNMENT_CREATED: ("assignment", 6),
    events.ASSIGNMENT_PASSED: ("assignment", 5),
    events.SUBSCRIPTION_CHANGED: ("user", 2),
    events.TEAM_MEMBER_JOINED: ("team", 3),
    events.USER_EMAIL_VERIFIED: ("user", 2),
}


@dataclass(frozen=True)
class Sizes:
    users: int
    team_size: int
    sessions: int
    activities: int


@dataclass(frozen=True)
class Scene:
    """What the benchmark logs in as and asks for."""

    staff: User
    manager: User
    team: Team


def existing_scene() -> Scene | None:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    membership = (
        Membership.objects.select_related("team", "user")
        .filter(team__name=f"{TEAM_PREFIX}0", role=TeamRole.MANAGER, user__email__startswith=PREFIX)
        .first()
    )
    if staff is None or membership is None:
        return None
    return Scene(staff=staff, manager=membership.user, team=membership.team)


def delete_all(log: Callable[[str], None]) -> None:
    """Bottom-up, table by table: Django's collector would load 100,000 sessions to cascade."""
    mine = User.objects.filter(email__startswith=PREFIX, email__endswith=f"@{EMAIL_DOMAIN}").values("pk")
    with disable_auditlog():
        counts = [
            ActivityLog.objects.filter(user__in=mine).delete()[0],
            Assignment.objects.filter(team__name__startswith=TEAM_PREFIX).delete()[0],
            TrainingSession.objects.filter(user__in=mine).delete()[0],
            Champion.objects.filter(owner__in=mine).delete()[0],
            Team.objects.filter(name__startswith=TEAM_PREFIX).delete()[0],
            User.objects.filter(pk__in=mine).delete()[0],
        ]
    if sum(counts):
        log(f"deleted {sum(counts):,} rows of an earlier run")


def fill(sizes: Sizes, log: Callable[[str], None]) -> Scene:
    rng = random.Random(20_261_202)  # the same data on every run
    now = timezone.now()
    with disable_auditlog(), transaction.atomic():
        staff = User.objects.bulk_create([_user("staff", now, rng, staff=True)])[0]
        users = User.objects.bulk_create([_user(str(i), now, rng) for i in range(sizes.users)], batch_size=BATCH)
        teams = _teams(users, sizes.team_size, rng)
        champions = _champions(teams, now)
        log(f"{len(users):,} users, {len(teams):,} teams, {sum(len(c) for c in champions.values()):,} champions")
    members = {team.pk: list(team.bench_members) for team in teams}
    with transaction.atomic():
        copy_rows(TrainingSession, _sessions(sizes.sessions, teams[0].pk, members, champions, now, rng))
    _assignments(teams[0], members[teams[0].pk], champions[teams[0].pk], now, rng)
    log(f"{sizes.sessions:,} sessions")
    user_ids = [user.pk for user in users]
    with transaction.atomic():
        copy_rows(ActivityLog, _activities(sizes.activities, user_ids, now, rng))
    log(f"{sizes.activities:,} activities")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the planner's estimates (and the paginator's) are current
            for model in (User, Membership, Champion, TrainingSession, AssignmentAssignee, ActivityLog):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return Scene(staff=staff, manager=teams[0].bench_members[0].user, team=teams[0])


def _user(name: str, now: datetime, rng: random.Random, *, staff: bool = False) -> User:
    joined = now - timedelta(days=rng.uniform(0, 720))
    active = max(joined, now - timedelta(days=rng.expovariate(1 / 20)))
    return User(
        email=f"{PREFIX}{name}@{EMAIL_DOMAIN}",
        full_name=f"Bench {name}",
        password=make_password(None),  # unusable: nobody signs in as a bench user
        role=Role.ADMIN if staff else Role.USER,
        is_staff=staff,
        is_superuser=staff,
        subscription_plan=rng.choices(list(Plan.values), weights=[50, 25, 20, 5])[0],
        subscription_status=rng.choice(list(SubscriptionStatus.values)),
        journey_stage=rng.choice(list(JourneyStage.values)),
        last_login_at=active,
        last_activity_at=active,
        date_joined=joined,
    )


def _teams(users: list[User], team_size: int, rng: random.Random) -> list[Team]:
    """Team 0 has exactly ``team_size`` members (its first a manager); the others 5 to 80."""
    sizes, left = [team_size], len(users) - team_size
    while left > 0:
        sizes.append(min(left, rng.randint(5, 80)))
        left -= sizes[-1]
    teams = Team.objects.bulk_create(
        [Team(name=f"{TEAM_PREFIX}{i}", leaderboard_enabled=True) for i in range(len(sizes))]
    )
    memberships, start = [], 0
    for team, size in zip(teams, sizes, strict=True):
        team.bench_members = [
            Membership(team=team, user=user, role=TeamRole.MANAGER if index == 0 else TeamRole.REP)
            for index, user in enumerate(users[start : start + size])
        ]
        memberships.extend(team.bench_members)
        start += size
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return teams


def _champions(teams: list[Team], now: datetime) -> dict[int, list[Champion]]:
    rows = [
        Champion(
            owner=team.bench_members[0].user,
            team=team,
            name=f"{team.name} champion {index}",
            status=Champion.Status.READY,
            recording="bench/none.m4a",
            duration_seconds=600,
            published_at=now - timedelta(days=DAYS),
        )
        for team in teams
        for index in range(3)
    ]
    Champion.objects.bulk_create(rows, batch_size=BATCH)
    per_team: dict[int, list[Champion]] = {}
    for champion in rows:
        per_team.setdefault(champion.team_id, []).append(champion)
    return per_team


def _sessions(count, big_team_id, members, champions, now, rng) -> Iterator[TrainingSession]:
    """A year of practice; the benchmarked team's members practise 60 sessions each, the
    others share what is left. Most sessions completed, with an overall and per-criterion score."""
    big = [(m.user_id, big_team_id) for m in members[big_team_id]]
    others = [(m.user_id, team_id) for team_id, team in members.items() if team_id != big_team_id for m in team]
    for index in range(count):
        user_id, team_id = big[index % len(big)] if index < 60 * len(big) else rng.choice(others)
        started = now - timedelta(days=DAYS * rng.random() ** 1.3, minutes=rng.randint(0, 600))
        status = rng.choices(list(TrainingSession.Status.values), weights=[5, 85, 10])[0]
        completed = status == TrainingSession.Status.COMPLETED
        skill = rng.gauss(62, 14)
        criteria = {name: round(min(100, max(0, rng.gauss(skill, 10))), 1) for name in CRITERIA}
        yield TrainingSession(
            user_id=user_id,
            champion=rng.choice(champions[team_id]),
            scenario_snapshot={"title": "Bench scenario", "objections": [{"text": "Too expensive"}] * 3},
            status=status,
            outcome=rng.choice(list(TrainingSession.Outcome.values)) if completed else "",
            stage=3 if completed else rng.randint(0, 2),
            turn_count=rng.randint(2, 14),
            started_at=started,
            last_activity_at=started + timedelta(minutes=8),
            ended_at=started + timedelta(minutes=9) if status != TrainingSession.Status.ACTIVE else None,
            overall_score=round(sum(criteria.values()) / len(criteria), 1) if completed else None,
            comparison_to_champion={"criteria": criteria} if completed else {},
        )


def _assignments(team: Team, members: list[Membership], champions: list[Champion], now, rng) -> None:
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                team=team,
                champion=champions[index % len(champions)],
                scenario_title=f"Bench scenario {index}",
                created_by=members[0].user,
                due_at=now + timedelta(days=rng.randint(-60, 30)),
                pass_score=60,
            )
            for index in range(12)
        ]
    )
    AssignmentAssignee.objects.bulk_create(
        [
            AssignmentAssignee(
                assignment=assignment,
                user=membership.user,
                attempts=rng.randint(0, 3),
                passed_at=now - timedelta(days=1) if rng.random() < 0.5 else None,
            )
            for assignment in assignments
            for membership in members[1:]
        ]
    )


def _activities(count: int, user_ids: list[int], now: datetime, rng: random.Random) -> Iterator[ActivityLog]:
    """A year of log, oldest first (as it is written), busier lately: a day's share grows
    with how recent it is."""
    actions = list(ACTIONS)
    weights = [ACTIONS[action][1] for action in actions]
    day_weights = [1 + 2 * day / DAYS for day in range(DAYS)]
    per_day = [int(count * w / sum(day_weights)) for w in day_weights]
    per_day[-1] += count - sum(per_day)
    for day, rows in enumerate(per_day):
        start = now - timedelta(days=DAYS - day)
        for second in sorted(rng.uniform(0, 86_400) for _ in range(rows)):
            action = rng.choices(actions, weights)[0]
            yield ActivityLog(
                user_id=rng.choice(user_ids),
                action=action,
                resource_type=ACTIONS[action][0],
                resource_id=str(rng.randint(1, 200_000)),
                metadata={"source": "bench"},
                ip_address=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                created_at=min(now, start + timedelta(seconds=second)),
            )


def copy_rows(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    """COPY on PostgreSQL (each value prepared by its field, as ``save()`` would), bulk_create
    in batches elsewhere."""
    if connection.vendor != "postgresql":
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            model.objects.bulk_create(batch)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields])
