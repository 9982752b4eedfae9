"""The scene of the team-page tests: a team with a manager and reps, a published team
champion with a scenario, and completed sessions (through ``POST /training/end``, the real
completion, or written directly when a test needs many)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from champions.models import Champion, Scenario
from champions.tests.factories import ReadyChampionFactory, ScenarioFactory
from conftest import authenticated_client
from teams.models import Team
from teams.tests.factories import team_with
from training import services
from training.models import Assignment, TrainingSession
from training.tests.factories import CRITERIA, TraineeMessageFactory, TrainingSessionFactory, scenario_snapshot


@dataclass
class Scene:
    team: Team
    manager: User
    reps: list[User]
    champion: Champion
    scenario: Scenario

    @property
    def rep(self) -> User:
        return self.reps[0]


def team_champion(team: Team, owner: User, *, published: bool = True, **fields: object) -> Champion:
    return ReadyChampionFactory(owner=owner, team=team, published_at=timezone.now() if published else None, **fields)


def scene(reps: int = 2, name: str = "Sales East") -> Scene:
    manager = UserFactory(full_name="Mona Manager")
    members = [UserFactory(full_name=f"Rep {i:02d}") for i in range(reps)]
    team = team_with(manager, *members, name=name)
    champion = team_champion(team, manager, name="Best closer")
    scenario = ScenarioFactory(champion=champion, title="Price-sensitive head of support")
    return Scene(team=team, manager=manager, reps=members, champion=champion, scenario=scenario)


def assign(client, team: Team, scenario: Scenario, assignee_ids: object = "all", **fields: object):
    body = {
        "scenario_id": scenario.pk,
        "assignee_ids": assignee_ids,
        "due_at": (timezone.now() + timedelta(days=7)).isoformat(),
        "pass_score": 70,
        "min_attempts": 1,
        **fields,
    }
    return client.post(f"/teams/{team.pk}/assignments", body, format="json")


def make_assignment(s: Scene, *, users=None, due_in=timedelta(days=7), pass_score=70, min_attempts=1) -> Assignment:
    """An assignment of the scene's scenario, by its manager, to ``users`` (the reps by default)."""
    return services.assignment_create(
        team=s.team,
        created_by=s.manager,
        scenario_id=s.scenario.pk,
        assignee_ids=[u.pk for u in users] if users else "all",
        due_at=timezone.now() + due_in,
        pass_score=pass_score,
        min_attempts=min_attempts,
    )


def open_session(user: User, scenario: Scenario, *, score: int) -> TrainingSession:
    """An active session of ``user`` on ``scenario`` with one scored reply."""
    snapshot = {**scenario_snapshot(), "id": scenario.pk, "title": scenario.title}
    # The opening line, the reply and the prospect's answer: three turns.
    session = TrainingSessionFactory(
        user=user, champion=scenario.champion, scenario=scenario, scenario_snapshot=snapshot, turn_count=3
    )
    TraineeMessageFactory(session=session, score=score, turn_index=1)
    return session


def complete_session(user: User, scenario: Scenario, *, score: int) -> TrainingSession:
    """A session completed through the API, as a rep ends one: its overall score is ``score``."""
    session = open_session(user, scenario, score=score)
    response = authenticated_client(user).post("/training/end", {"session_id": session.pk}, format="json")
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.overall_score == score
    return session


def completed_session_row(user: User, champion: Champion, *, score: float, days_ago: float = 0) -> TrainingSession:
    """A completed session written directly (its criteria each at ``score``): for tests that
    need many, or need one in the past."""
    ended = timezone.now() - timedelta(days=days_ago)
    return TrainingSessionFactory(
        user=user,
        champion=champion,
        status=TrainingSession.Status.COMPLETED,
        overall_score=score,
        started_at=ended - timedelta(minutes=10),
        ended_at=ended,
        comparison_to_champion={"criteria": dict.fromkeys(CRITERIA, score)},
    )
