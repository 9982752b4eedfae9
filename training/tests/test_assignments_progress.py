"""A team's progress (managers) and leaderboard (members, when turned on): README.md, "Teams"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from champions.tests.factories import ReadyChampionFactory
from conftest import authenticated_client
from teams.models import Membership
from training.models import AssignmentAssignee, TrainingSession
from training.tests.assignment_scene import (
    complete_session,
    completed_session_row,
    make_assignment,
    scene,
    team_champion,
)
from training.tests.factories import CRITERIA

pytestmark = pytest.mark.django_db


def progress(user, team, **params):
    return authenticated_client(user).get(f"/teams/{team.pk}/progress", params)


def leaderboard(user, team, **params):
    return authenticated_client(user).get(f"/teams/{team.pk}/leaderboard", params)


def figures(average, best):
    return {"average_score": average, "best_score": best, "gap_to_champion": round(100 - average, 1)}


class TestProgress:
    def test_per_member_per_champion_and_criterion_with_the_gap_and_assignments(self):
        s = scene(reps=2)
        second = team_champion(s.team, s.manager, name="Another closer")
        complete_session(s.rep, s.scenario, score=60)  # through /training/end: real criteria
        completed_session_row(s.rep, s.champion, score=80)
        completed_session_row(s.rep, second, score=50)
        # Not the team's: a personal champion, another team's, and an abandoned session.
        completed_session_row(s.rep, ReadyChampionFactory(owner=s.rep), score=99)
        completed_session_row(s.rep, scene(name="Sales West").champion, score=99)
        TrainingSession.objects.filter(pk=completed_session_row(s.rep, s.champion, score=99).pk).update(
            status=TrainingSession.Status.ABANDONED
        )
        passed = make_assignment(s, due_in=timedelta(days=1))
        AssignmentAssignee.objects.filter(assignment=passed, user=s.rep).update(passed_at=timezone.now())
        passed.due_at = timezone.now() - timedelta(hours=1)
        passed.save(update_fields=["due_at"])

        response = progress(s.manager, s.team)
        assert response.status_code == 200, response.content
        rows = {row["user_id"]: row for row in response.json()}
        assert list(rows) == [s.manager.pk, *(rep.pk for rep in s.reps)]  # in joining order
        rep = rows[s.rep.pk]
        assert (rep["full_name"], rep["email"], rep["role"], rep["sessions"]) == (
            s.rep.full_name,
            s.rep.email,
            "rep",
            3,
        )
        assert {k: rep[k] for k in ("average_score", "best_score", "gap_to_champion")} == figures(63.3, 80.0)
        assert rep["assignments"] == {"assigned": 1, "passed": 1, "overdue": 0}
        by_champion = {c["champion_id"]: c for c in rep["champions"]}
        best = by_champion[s.champion.pk]
        assert (best["champion_name"], best["sessions"]) == ("Best closer", 2)
        assert {k: best[k] for k in ("average_score", "best_score", "gap_to_champion")} == figures(70.0, 80.0)
        assert set(best["criteria"]) == set(CRITERIA)
        assert best["criteria"]["technique"] == figures(70.0, 80.0)
        assert by_champion[second.pk]["criteria"]["clarity"] == figures(50.0, 50.0)

        idle = rows[s.reps[1].pk]
        assert idle["sessions"] == 0 and idle["champions"] == []
        assert idle["average_score"] is None and idle["gap_to_champion"] is None
        assert idle["assignments"] == {"assigned": 1, "passed": 0, "overdue": 1}

    def test_the_filters_narrow_the_sessions(self):
        s = scene(reps=1)
        second = team_champion(s.team, s.manager)
        completed_session_row(s.rep, s.champion, score=40, days_ago=20)
        completed_session_row(s.rep, s.champion, score=80)
        completed_session_row(s.rep, second, score=60)
        since = (timezone.now() - timedelta(days=7)).isoformat()
        rep = progress(s.manager, s.team, champion_id=s.champion.pk, since=since).json()[1]
        assert rep["sessions"] == 1 and [c["champion_id"] for c in rep["champions"]] == [s.champion.pk]
        assert rep["best_score"] == 80.0
        assert progress(s.manager, s.team, since=since).json()[1]["sessions"] == 2

    @pytest.mark.parametrize(
        "params", [{"champion_id": "x"}, {"champion_id": 0}, {"since": "last week"}, {"champion_id": "other"}]
    )
    def test_bad_filters_are_a_400(self, params):
        s = scene(reps=1)
        if params.get("champion_id") == "other":
            params = {"champion_id": scene(name="Sales West").champion.pk}
        response = progress(s.manager, s.team, **params)
        assert response.status_code == 400
        assert set(response.json()["fields"]) == set(params)

    def test_a_rep_gets_403_an_outsider_404_and_a_removed_member_leaves(self):
        s = scene(reps=2)
        completed_session_row(s.reps[1], s.champion, score=70)
        assert progress(s.rep, s.team).status_code == 403
        assert progress(UserFactory(), s.team).status_code == 404
        assert progress(scene(name="Sales West").manager, s.team).status_code == 404
        Membership.objects.filter(team=s.team, user=s.reps[1]).delete()
        assert [row["user_id"] for row in progress(s.manager, s.team).json()] == [s.manager.pk, s.rep.pk]

    @pytest.mark.parametrize("members", [5, 50])
    def test_the_query_count_is_the_same_for_5_and_50_members(self, members, django_assert_num_queries):
        s = scene(reps=members)
        second = team_champion(s.team, s.manager)
        for rep in s.reps:
            completed_session_row(rep, s.champion, score=70)
            completed_session_row(rep, second, score=50)
        make_assignment(s, due_in=timedelta(days=1))
        client = authenticated_client(s.manager)
        # Auth, the membership, the champion filter's check, the members, the sessions, the counts.
        with django_assert_num_queries(6):
            response = client.get(f"/teams/{s.team.pk}/progress/", {"champion_id": s.champion.pk})
        assert len(response.json()) == members + 1
        with django_assert_num_queries(5):
            response = client.get(f"/teams/{s.team.pk}/progress")
        assert all(len(row["champions"]) == 2 for row in response.json()[1:])


class TestLeaderboard:
    def test_off_by_default_403_and_404_for_an_outsider(self):
        s = scene(reps=1)
        response = leaderboard(s.rep, s.team)
        assert response.status_code == 403 and "turned off" in response.json()["detail"]
        assert leaderboard(UserFactory(), s.team).status_code == 404

    def test_members_see_best_scores_on_published_champions_ranked(self):
        s = scene(reps=3)
        s.team.leaderboard_enabled = True
        s.team.save()
        draft = team_champion(s.team, s.manager, published=False)
        second = team_champion(s.team, s.manager, name="Another closer")
        completed_session_row(s.reps[0], s.champion, score=70)
        completed_session_row(s.reps[0], second, score=85)
        completed_session_row(s.reps[1], s.champion, score=85)
        completed_session_row(s.reps[2], s.champion, score=60)
        completed_session_row(s.reps[2], draft, score=99)  # a draft is not on the board
        completed_session_row(s.reps[2], s.champion, score=95, days_ago=40)  # outside the period

        response = leaderboard(s.rep, s.team)
        assert response.status_code == 200, response.content
        board = response.json()
        assert [(row["user_id"], row["rank"], row["best_score"]) for row in board] == [
            (s.reps[0].pk, 1, 85.0),
            (s.reps[1].pk, 1, 85.0),
            (s.reps[2].pk, 3, 60.0),
            (s.manager.pk, None, None),
        ]
        first = board[0]
        assert set(first) == {"rank", "user_id", "full_name", "role", "best_score", "sessions", "champions"}
        assert "email" not in first and first["sessions"] == 2
        assert first["champions"] == [
            {"champion_id": second.pk, "champion_name": "Another closer", "best_score": 85.0, "sessions": 1},
            {"champion_id": s.champion.pk, "champion_name": "Best closer", "best_score": 70.0, "sessions": 1},
        ]
        longer = leaderboard(s.rep, s.team, days=60).json()
        assert longer[0]["user_id"] == s.reps[2].pk and longer[0]["best_score"] == 95.0

    @pytest.mark.parametrize("days", [0, 366, "x"])
    def test_a_bad_period_is_a_400(self, days):
        s = scene(reps=1)
        s.team.leaderboard_enabled = True
        s.team.save()
        response = leaderboard(s.rep, s.team, days=days)
        assert response.status_code == 400 and "days" in response.json()["fields"]
