"""Assignments (README.md, "Teams"): ``/teams/{id}/assignments`` for managers, ``/assignments``
for everyone, attempts counted from completed sessions, the reminder and overdue sweep."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from champion_clone.celery import app as celery_app
from champions.models import Champion
from champions.scripted import champion_from_script
from champions.tests.factories import ScenarioFactory
from conftest import authenticated_client
from core import events
from teams.models import Membership, Role
from teams.tests.factories import MembershipFactory
from training import services
from training.models import Assignment, AssignmentAssignee
from training.tasks import sweep_assignments
from training.tests.assignment_scene import (
    assign,
    complete_session,
    make_assignment,
    open_session,
    scene,
    team_champion,
)
from training.tests.factories import TrainingSessionFactory

pytestmark = pytest.mark.django_db


def assignment_events(dispatched, event_type: str) -> list[events.DomainEvent]:
    return [event for event in dispatched if event.type == event_type]


def assignee(assignment: Assignment, user) -> AssignmentAssignee:
    return AssignmentAssignee.objects.get(assignment=assignment, user=user)


class TestCreate:
    def test_a_manager_assigns_the_reps_and_each_gets_an_event(self, dispatched, django_capture_on_commit_callbacks):
        s = scene(reps=2)
        client = authenticated_client(s.manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = assign(client, s.team, s.scenario, pass_score=75, min_attempts=2)
        assert response.status_code == 201, response.content
        body = response.json()
        assignment = Assignment.objects.get()
        assert body["id"] == assignment.pk and body["team_id"] == s.team.pk
        assert body["champion"] == {"id": s.champion.pk, "name": "Best closer"}
        assert body["scenario"] == {"id": s.scenario.pk, "title": "Price-sensitive head of support"}
        assert (body["pass_score"], body["min_attempts"]) == (75, 2)
        assert set(body) >= {"due_at", "created_at"}
        assert body["assignees"] == [
            {"user_id": rep.pk, "full_name": rep.full_name, "attempts": 0, "best_score": None, "status": "not_started"}
            for rep in s.reps
        ]
        assert assignment.created_by == s.manager and assignment.scenario_title == s.scenario.title
        created = assignment_events(dispatched, events.ASSIGNMENT_CREATED)
        assert sorted(event.user_id for event in created) == sorted(rep.pk for rep in s.reps)
        assert created[0].resource_type == "assignment" and created[0].resource_id == str(assignment.pk)
        assert created[0].data == {
            "assignment_id": assignment.pk,
            "team_id": s.team.pk,
            "team_name": "Sales East",
            "champion_id": s.champion.pk,
            "champion_name": "Best closer",
            "scenario_title": s.scenario.title,
            "due_at": assignment.due_at.isoformat(),
            "pass_score": 75,
            "min_attempts": 2,
        }

    def test_all_means_the_current_reps_and_managers_can_be_named(self):
        s = scene(reps=2)
        other = scene(reps=1, name="Sales West")
        second_manager = UserFactory()
        MembershipFactory(team=s.team, user=second_manager, role=Role.MANAGER)
        client = authenticated_client(s.manager)
        everyone = assign(client, s.team, s.scenario, "all").json()
        assert [a["user_id"] for a in everyone["assignees"]] == [rep.pk for rep in s.reps]
        named = assign(client, s.team, s.scenario, [second_manager.pk, s.rep.pk, s.rep.pk]).json()
        assert sorted(a["user_id"] for a in named["assignees"]) == sorted([second_manager.pk, s.rep.pk])
        assert not AssignmentAssignee.objects.filter(user=other.rep).exists()

    def test_a_scenario_of_another_team_reads_as_missing(self):
        s = scene()
        other = scene(name="Sales West")
        client = authenticated_client(s.manager)
        foreign = assign(client, s.team, other.scenario)
        missing = assign(client, s.team, other.scenario, scenario_id=10**9)
        for response in (foreign, missing):
            assert response.status_code == 400
            assert response.json()["fields"] == {"scenario_id": ["No such scenario in this team."]}
        # A personal champion's scenario, even the manager's own, is no team scenario either.
        personal = ScenarioFactory(champion__owner=s.manager)
        assert assign(client, s.team, personal).status_code == 400
        assert not Assignment.objects.exists()

    def test_a_draft_or_unready_champion_cannot_be_assigned(self):
        s = scene()
        client = authenticated_client(s.manager)
        draft = ScenarioFactory(champion=team_champion(s.team, s.manager, published=False))
        processing = ScenarioFactory(champion=team_champion(s.team, s.manager, status=Champion.Status.PROCESSING))
        for scenario in (draft, processing):
            response = assign(client, s.team, scenario)
            assert response.status_code == 400
            assert "published" in response.json()["fields"]["scenario_id"][0]
        assert not Assignment.objects.exists()

    def test_assignees_must_be_current_members_and_nothing_is_written_otherwise(self):
        s = scene()
        outsider = UserFactory()
        removed = UserFactory()
        response = assign(authenticated_client(s.manager), s.team, s.scenario, [s.rep.pk, outsider.pk, removed.pk])
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "assignee_ids": [f"Not members of this team: {outsider.pk}, {removed.pk}."]
        }
        assert not Assignment.objects.exists() and not AssignmentAssignee.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("due_at", "2001-01-01T00:00:00Z"),
            ("due_at", "soon"),
            ("pass_score", 101),
            ("pass_score", -1),
            ("min_attempts", 0),
            ("min_attempts", 11),
            ("assignee_ids", []),
            ("assignee_ids", "everyone"),
            ("assignee_ids", [True]),
            ("assignee_ids", ["1"]),
            ("scenario_id", "x"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, field, value):
        s = scene()
        response = assign(authenticated_client(s.manager), s.team, s.scenario, **{field: value})
        assert response.status_code == 400, response.content
        assert field in response.json()["fields"]
        assert not Assignment.objects.exists()

    def test_the_team_without_reps_cannot_assign_all(self):
        s = scene(reps=0)
        response = assign(authenticated_client(s.manager), s.team, s.scenario, "all")
        assert response.status_code == 400 and "assignee_ids" in response.json()["fields"]


class TestScope:
    @pytest.mark.parametrize("method", ["get", "post", "delete"])
    def test_a_rep_gets_403_and_an_outsider_404(self, method):
        s = scene()
        assignment = make_assignment(s)
        path = f"/teams/{s.team.pk}/assignments" + (f"/{assignment.pk}" if method == "delete" else "")
        for user, expected in ((s.rep, 403), (UserFactory(), 404)):
            response = getattr(authenticated_client(user), method)(path, {}, format="json")
            assert response.status_code == expected, (user, response.content)
            assert set(response.json()) == {"detail", "code", "fields"}
        assert Assignment.objects.get().cancelled_at is None

    def test_a_manager_of_another_team_cannot_read_or_cancel(self):
        s = scene()
        other = scene(name="Sales West")
        assignment = make_assignment(s)
        client = authenticated_client(other.manager)
        assert client.get(f"/teams/{s.team.pk}/assignments").status_code == 404
        # Their own team's path, another team's assignment id: no such assignment.
        assert client.delete(f"/teams/{other.team.pk}/assignments/{assignment.pk}").status_code == 404
        assert Assignment.objects.get().cancelled_at is None


class TestTeamListAndCancel:
    def test_the_list_shows_completion_per_assignee_and_cancelled_ones_disappear(self):
        s = scene(reps=2)
        first, second = make_assignment(s), make_assignment(s, due_in=timedelta(days=9))
        complete_session(s.rep, s.scenario, score=80)
        client = authenticated_client(s.manager)
        for path in (f"/teams/{s.team.pk}/assignments", f"/teams/{s.team.pk}/assignments/"):
            body = client.get(path).json()
            assert body["count"] == 2 and [a["id"] for a in body["results"]] == [first.pk, second.pk]
        rows = {a["user_id"]: a for a in body["results"][0]["assignees"]}
        assert rows[s.rep.pk] == {
            "user_id": s.rep.pk,
            "full_name": s.rep.full_name,
            "attempts": 1,
            "best_score": 80.0,
            "status": "passed",
        }
        assert rows[s.reps[1].pk]["status"] == "not_started"

        assert client.delete(f"/teams/{s.team.pk}/assignments/{first.pk}/").status_code == 204
        assert [a["id"] for a in client.get(f"/teams/{s.team.pk}/assignments").json()["results"]] == [second.pk]
        assert [a["id"] for a in authenticated_client(s.rep).get("/assignments").json()["results"]] == [second.pk]
        assert client.delete(f"/teams/{s.team.pk}/assignments/{first.pk}").status_code == 404
        assert Assignment.objects.get(pk=first.pk).cancelled_at is not None

    def test_a_removed_member_leaves_the_list(self):
        s = scene(reps=2)
        make_assignment(s)
        Membership.objects.filter(team=s.team, user=s.rep).delete()
        body = authenticated_client(s.manager).get(f"/teams/{s.team.pk}/assignments").json()
        assert [a["user_id"] for a in body["results"][0]["assignees"]] == [s.reps[1].pk]

    @pytest.mark.parametrize("members", [5, 50])
    def test_the_team_list_costs_the_same_queries_for_5_and_50_members(self, members, django_assert_num_queries):
        s = scene(reps=members)
        for days in (3, 5, 7):
            make_assignment(s, due_in=timedelta(days=days))
        client = authenticated_client(s.manager)
        # Auth (user), the membership, the assignments, their assignees (one page: no COUNT).
        with django_assert_num_queries(4):
            response = client.get(f"/teams/{s.team.pk}/assignments")
        assert response.status_code == 200 and len(response.json()["results"][0]["assignees"]) == members


class TestMine:
    def test_the_callers_assignments_with_each_status(self):
        s = scene(reps=1)
        not_started = make_assignment(s, due_in=timedelta(days=3))
        in_progress = make_assignment(s, due_in=timedelta(days=4), pass_score=95)
        passed = make_assignment(s, due_in=timedelta(days=5), pass_score=50)
        overdue = make_assignment(s, due_in=timedelta(days=6))
        Assignment.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(hours=1))
        AssignmentAssignee.objects.filter(assignment=not_started).update(attempts=0)
        AssignmentAssignee.objects.filter(assignment=in_progress).update(attempts=2, best_score=60)
        AssignmentAssignee.objects.filter(assignment=passed).update(attempts=1, best_score=88, passed_at=timezone.now())
        other = scene(name="Sales West")
        make_assignment(other)

        body = authenticated_client(s.rep).get("/assignments").json()
        assert set(body) == {"count", "next", "previous", "results"}
        statuses = {row["id"]: row["status"] for row in body["results"]}
        assert statuses == {
            not_started.pk: "not_started",
            in_progress.pk: "in_progress",
            passed.pk: "passed",
            overdue.pk: "overdue",
        }
        row = next(r for r in body["results"] if r["id"] == in_progress.pk)
        assert row == {
            "id": in_progress.pk,
            "team": {"id": s.team.pk, "name": "Sales East"},
            "champion": {"id": s.champion.pk, "name": "Best closer"},
            "scenario": {"id": s.scenario.pk, "title": s.scenario.title},
            "due_at": row["due_at"],
            "pass_score": 95,
            "min_attempts": 1,
            "attempts": 2,
            "best_score": 60.0,
            "status": "in_progress",
        }
        assert authenticated_client(UserFactory()).get("/assignments/").json()["count"] == 0

    def test_a_member_who_left_the_team_no_longer_sees_its_assignments(self):
        s = scene(reps=1)
        make_assignment(s)
        Membership.objects.filter(team=s.team, user=s.rep).delete()
        assert authenticated_client(s.rep).get("/assignments").json()["count"] == 0

    @pytest.mark.parametrize("members", [5, 50])
    def test_my_list_costs_the_same_queries_for_5_and_50(self, members, django_assert_num_queries):
        s = scene(reps=members)
        for days in range(members):
            make_assignment(s, due_in=timedelta(days=days + 1))
        client = authenticated_client(s.rep)
        # Auth (user), the page (team and champion joined); it holds them all: no COUNT.
        with django_assert_num_queries(2):
            response = client.get("/assignments", {"page_size": 100})
        assert response.json()["count"] == members


class TestAttempts:
    def test_a_completed_session_counts_and_passing_publishes_once(
        self, dispatched, django_capture_on_commit_callbacks
    ):
        s = scene(reps=1)
        assignment = make_assignment(s, pass_score=70, min_attempts=2)
        with django_capture_on_commit_callbacks(execute=True):
            complete_session(s.rep, s.scenario, score=90)
        row = assignee(assignment, s.rep)
        assert (row.attempts, row.best_score, row.passed_at) == (1, 90.0, None)
        assert row.status_at(timezone.now()) == "in_progress"
        with django_capture_on_commit_callbacks(execute=True):
            complete_session(s.rep, s.scenario, score=60)
            complete_session(s.rep, s.scenario, score=95)
        row.refresh_from_db()
        # Passed on the second session (2 attempts, best 90): the counters stop there.
        assert (row.attempts, row.best_score) == (2, 90.0) and row.passed_at is not None
        passed = assignment_events(dispatched, events.ASSIGNMENT_PASSED)
        assert len(passed) == 1 and passed[0].user_id == s.rep.pk
        assert passed[0].data["best_score"] == 90.0 and passed[0].data["assignment_id"] == assignment.pk

    def test_only_sessions_on_the_assigned_scenario_completed_after_it_count(self):
        s = scene(reps=1)
        complete_session(s.rep, s.scenario, score=90)  # before the assignment
        assignment = make_assignment(s)
        other_scenario = ScenarioFactory(champion=s.champion, title="Busy founder")
        complete_session(s.rep, other_scenario, score=90)
        same_title_elsewhere = ScenarioFactory(champion=team_champion(s.team, s.manager), title=s.scenario.title)
        complete_session(s.rep, same_title_elsewhere, score=90)
        complete_session(s.manager, s.scenario, score=90)  # not an assignee
        row = assignee(assignment, s.rep)
        assert (row.attempts, row.best_score, row.passed_at) == (0, None, None)

    def test_an_abandoned_or_scoreless_session_does_not_count(self):
        s = scene(reps=1)
        assignment = make_assignment(s)
        session = open_session(s.rep, s.scenario, score=90)
        services.sessions_abandon_idle(now=timezone.now() + timedelta(days=1))
        session.refresh_from_db()
        assert services.record_attempt(session) == 0
        assert assignee(assignment, s.rep).attempts == 0

    def test_ending_a_session_without_a_reply_is_no_attempt(self):
        s = scene(reps=1)
        assignment = make_assignment(s, pass_score=0)
        session = TrainingSessionFactory(user=s.rep, champion=s.champion, scenario=s.scenario)
        response = authenticated_client(s.rep).post("/training/end", {"session_id": session.pk}, format="json")
        assert response.status_code == 200 and response.json()["overall_score"] == 0
        assert assignee(assignment, s.rep).attempts == 0

    def test_a_cancelled_assignment_or_a_removed_member_counts_nothing(self):
        s = scene(reps=2)
        cancelled = make_assignment(s)
        services.assignment_cancel(team=s.team, assignment_id=cancelled.pk)
        kept = make_assignment(s, users=[s.reps[1]])
        Membership.objects.filter(team=s.team, user=s.reps[1]).delete()
        complete_session(s.rep, s.scenario, score=90)
        complete_session(s.reps[1], s.scenario, score=90)
        assert assignee(cancelled, s.rep).attempts == 0 and assignee(kept, s.reps[1]).attempts == 0

    def test_a_replaced_scenario_is_matched_by_its_title_on_the_same_champion(self):
        s = scene(reps=1)
        assignment = make_assignment(s)
        s.scenario.delete()  # a re-analysis replaces the champion's scenarios
        assignment.refresh_from_db()
        assert assignment.scenario_id is None
        replacement = ScenarioFactory(champion=s.champion, title="Price-sensitive head of support")
        complete_session(s.rep, replacement, score=85)
        row = assignee(assignment, s.rep)
        assert (row.attempts, row.best_score) == (1, 85.0) and row.passed_at is not None
        listed = authenticated_client(s.rep).get("/assignments").json()["results"][0]
        assert listed["scenario"] == {"id": None, "title": "Price-sensitive head of support"}

    def test_an_overdue_assignment_still_counts_and_passes_late(self):
        s = scene(reps=1)
        assignment = make_assignment(s)
        Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=2))
        complete_session(s.rep, s.scenario, score=80)
        assert assignee(assignment, s.rep).passed_at is not None


def test_a_rep_practising_the_published_team_champion_end_to_end_passes_the_assignment(
    dispatched, django_capture_on_commit_callbacks
):
    """The real flow: a manager's analysed champion published to the team, a rep starts the
    assigned scenario, replies with the champion's own answers, ends; the assignment counts it."""
    s = scene(reps=1)
    champion = champion_from_script(s.manager)
    Champion.objects.filter(pk=champion.pk).update(team=s.team, published_at=timezone.now())
    scenario = champion.scenarios.order_by("position").first()
    assignment = services.assignment_create(
        team=s.team,
        created_by=s.manager,
        scenario_id=scenario.pk,
        assignee_ids="all",
        due_at=timezone.now() + timedelta(days=2),
        pass_score=1,
    )
    client = authenticated_client(s.rep)
    started = client.post("/training/start", {"champion_id": champion.pk, "scenario_id": scenario.pk}, format="json")
    assert started.status_code == 201, started.content
    session = started.json()["session"]
    for objection in session["scenario"]["objections"]:
        reply = f"I understand, that is a fair concern. {objection['champion_response']} Would that work for you?"
        response = client.post("/training/respond", {"session_id": session["id"], "message": reply}, format="json")
        assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=True):
        ended = client.post("/training/end", {"session_id": session["id"]}, format="json")
    assert ended.status_code == 200, ended.content
    row = assignee(assignment, s.rep)
    assert row.attempts == 1 and row.best_score == ended.json()["overall_score"] and row.passed_at is not None
    assert [e.user_id for e in assignment_events(dispatched, events.ASSIGNMENT_PASSED)] == [s.rep.pk]
    mine = client.get("/assignments").json()["results"]
    assert [(a["id"], a["status"], a["attempts"]) for a in mine] == [(assignment.pk, "passed", 1)]


def end_at_once(user, sessions) -> list[int]:
    """Ends ``sessions`` through the API from one thread each, released together; the statuses."""
    barrier = threading.Barrier(len(sessions))
    statuses = []

    def end(session_id: int) -> None:
        barrier.wait()
        statuses.append(
            authenticated_client(user).post("/training/end", {"session_id": session_id}, format="json").status_code
        )
        connection.close()

    threads = [threading.Thread(target=end, args=(session.pk,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_completions_at_once_both_count_and_pass_once(monkeypatch):
    """Two sessions of one rep end at the same moment: both attempts count, the pass event goes
    out once. (The count is one UPDATE computed from the row, ``attempts = attempts + 1``; the
    pass is claimed by ``passed_at IS NULL``.)"""
    published = []
    monkeypatch.setattr(events, "dispatch", published.append)
    s = scene(reps=1)
    assignment = make_assignment(s, pass_score=70, min_attempts=1)
    sessions = [open_session(s.rep, s.scenario, score=score) for score in (80, 90)]
    assert end_at_once(s.rep, sessions) == [200, 200]
    row = assignee(assignment, s.rep)
    # The first to commit passed; the other found it passed and stopped counting, or both
    # counted before either passed: never one lost, never two events.
    assert row.passed_at is not None and row.attempts in (1, 2)
    assert len([e for e in published if e.type == events.ASSIGNMENT_PASSED]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_completions_at_once_below_the_pass_both_count():
    s = scene(reps=1)
    assignment = make_assignment(s, pass_score=100, min_attempts=10)
    sessions = [open_session(s.rep, s.scenario, score=score) for score in (50, 60, 70)]
    assert end_at_once(s.rep, sessions) == [200] * 3
    row = assignee(assignment, s.rep)
    assert (row.attempts, row.best_score) == (3, 70.0)


class TestSweep:
    def test_due_soon_and_overdue_are_published_once_per_assignee(self, dispatched, django_capture_on_commit_callbacks):
        s = scene(reps=2)
        soon = make_assignment(s, due_in=timedelta(hours=20))
        later = make_assignment(s, due_in=timedelta(days=3))
        late = make_assignment(s, due_in=timedelta(days=1))
        Assignment.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=5))
        AssignmentAssignee.objects.filter(assignment=soon, user=s.reps[1]).update(passed_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_assignments() == {"due_soon": 1, "overdue": 2}
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_assignments() == {"due_soon": 0, "overdue": 0}
        due_soon = assignment_events(dispatched, events.ASSIGNMENT_DUE_SOON)
        overdue = assignment_events(dispatched, events.ASSIGNMENT_OVERDUE)
        assert [(e.user_id, e.data["assignment_id"]) for e in due_soon] == [(s.rep.pk, soon.pk)]
        assert sorted((e.user_id, e.data["assignment_id"]) for e in overdue) == sorted(
            (rep.pk, late.pk) for rep in s.reps
        )
        assert assignee(soon, s.rep).reminded_at is not None
        assert assignee(soon, s.reps[1]).reminded_at is None
        assert not AssignmentAssignee.objects.filter(assignment=later).exclude(reminded_at=None).exists()

    def test_a_later_sweep_after_the_due_date_flags_the_reminded_as_overdue(self, dispatched):
        s = scene(reps=1)
        assignment = make_assignment(s, due_in=timedelta(hours=2))
        assert services.assignments_sweep() == {"due_soon": 1, "overdue": 0}
        assert services.assignments_sweep(now=timezone.now() + timedelta(hours=3)) == {"due_soon": 0, "overdue": 1}
        row = assignee(assignment, s.rep)
        assert row.reminded_at is not None and row.overdue_at is not None

    def test_cancelled_assignments_and_removed_members_are_not_swept(self):
        s = scene(reps=2)
        cancelled = make_assignment(s, due_in=timedelta(hours=2))
        services.assignment_cancel(team=s.team, assignment_id=cancelled.pk)
        make_assignment(s, users=[s.reps[1]], due_in=timedelta(hours=2))
        Membership.objects.filter(team=s.team, user=s.reps[1]).delete()
        assert services.assignments_sweep() == {"due_soon": 0, "overdue": 0}

    def test_the_sweep_is_registered_on_beat_and_runs_on_the_light_queue(self):
        name = "training.tasks.sweep_assignments"
        assert name in celery_app.tasks
        entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == name]
        assert len(entries) == 1 and entries[0]["schedule"] <= 15 * 60
        assert celery_app.amqp.router.route({}, name)["queue"].name == "light"
