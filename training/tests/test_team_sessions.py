"""Practice on a team's champions (README.md, "Teams"): a rep starts on any ready champion it
sees; the team's managers read (never write) the sessions of its current members on the
team's champions; a rep's sessions on personal champions stay the rep's."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from champions.scripted import champion_from_script
from champions.tests.factories import ReadyChampionFactory, ScenarioFactory, TeamScene, team_scene
from conftest import authenticated_client
from teams.models import Membership
from teams.tests.factories import team_with
from training.models import TrainingSession
from training.tests.factories import TraineeMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(db) -> TeamScene:
    scene = team_scene()
    for champion in (scene.published, scene.draft):
        ScenarioFactory(champion=champion)
    return scene


def start(user: User, champion_id: int):
    return authenticated_client(user).post("/training/start", {"champion_id": champion_id}, format="json")


class TestStart:
    def test_a_rep_practises_a_published_team_champion(self, scene):
        response = start(scene.rep, scene.published.pk)
        assert response.status_code == 201, response.content
        session = TrainingSession.objects.get(pk=response.json()["session"]["id"])
        assert (session.user_id, session.champion_id) == (scene.rep.pk, scene.published.pk)

    def test_a_draft_is_the_managers_only_and_a_stranger_sees_nothing(self, scene):
        assert start(scene.rep, scene.draft.pk).status_code == 404
        assert start(scene.manager, scene.draft.pk).status_code == 201
        assert start(scene.outsider, scene.published.pk).status_code == 404
        Membership.objects.filter(user=scene.rep).delete()
        assert start(scene.rep, scene.published.pk).status_code == 404
        assert not TrainingSession.objects.filter(user__in=[scene.rep, scene.outsider]).exists()

    def test_a_hidden_objection_is_in_no_scenario_a_session_practises(self, user):
        champion = champion_from_script(user)
        objections = champion.patterns.filter(category="objection").order_by("start")
        assert objections.count() >= 2
        hidden = objections.first()
        response = authenticated_client(user).patch(
            f"/champions/{champion.pk}/patterns/{hidden.pk}", {"hidden": True}, format="json"
        )
        assert response.status_code == 200, response.content
        for scenario in champion.scenarios.all():
            started = authenticated_client(user).post(
                "/training/start", {"champion_id": champion.pk, "scenario_id": scenario.pk}, format="json"
            )
            raised = [o["text"] for o in started.json()["session"]["scenario"]["objections"]]
            assert hidden.text not in raised


class TestManagersRead:
    def sessions(self, scene):
        on_team = TrainingSessionFactory(user=scene.rep, champion=scene.published)
        TraineeMessageFactory(session=on_team, turn_index=1)
        personal = TrainingSessionFactory(user=scene.rep)  # on the rep's own champion
        managers_own = TrainingSessionFactory(user=scene.manager, champion=scene.draft)
        return on_team, personal, managers_own

    def test_a_manager_lists_the_members_sessions_on_the_teams_champions(self, scene):
        on_team, personal, managers_own = self.sessions(scene)
        elsewhere = team_with(scene.outsider, scene.rep, name="Elsewhere")
        TrainingSessionFactory(user=scene.rep, champion=ReadyChampionFactory(owner=scene.outsider, team=elsewhere))
        response = authenticated_client(scene.manager).get(f"/training/sessions?team_id={scene.team.pk}")
        assert response.status_code == 200, response.content
        rows = response.json()["results"]
        assert {row["id"] for row in rows} == {on_team.pk, managers_own.pk}
        assert {row["user_id"] for row in rows} == {scene.rep.pk, scene.manager.pk}
        # Without the filter, the manager's own sessions only, as before.
        mine = authenticated_client(scene.manager).get("/training/sessions").json()["results"]
        assert [row["id"] for row in mine] == [managers_own.pk]

    def test_a_removed_members_sessions_leave_the_managers_view_and_stay_theirs(self, scene):
        on_team, _, _ = self.sessions(scene)
        Membership.objects.filter(team=scene.team, user=scene.rep).delete()
        manager = authenticated_client(scene.manager)
        listed = manager.get(f"/training/sessions?team_id={scene.team.pk}").json()["results"]
        assert on_team.pk not in {row["id"] for row in listed}
        assert manager.get(f"/training/sessions/{on_team.pk}").status_code == 404
        assert authenticated_client(scene.rep).get(f"/training/sessions/{on_team.pk}").status_code == 200

    @pytest.mark.parametrize(("who", "expected"), [("rep", 403), ("outsider", 404)])
    def test_a_rep_or_a_stranger_cannot_list_the_teams_sessions(self, scene, who, expected):
        self.sessions(scene)
        response = authenticated_client(getattr(scene, who)).get(f"/training/sessions?team_id={scene.team.pk}")
        assert response.status_code == expected
        assert set(response.json()) == {"detail", "code", "fields"}

    def test_a_manager_reads_the_detail_but_not_a_personal_session(self, scene, django_assert_num_queries):
        on_team, personal, _ = self.sessions(scene)
        manager = authenticated_client(scene.manager)
        with django_assert_num_queries(3):  # user, session with champion and user, messages
            response = manager.get(f"/training/sessions/{on_team.pk}")
        assert response.status_code == 200
        assert response.json()["user_id"] == scene.rep.pk and len(response.json()["messages"]) == 1
        assert manager.get(f"/training/sessions/{personal.pk}").status_code == 404

    def test_a_manager_never_writes_a_reps_session(self, scene):
        on_team, _, _ = self.sessions(scene)
        reply = TraineeMessageFactory(session=on_team, turn_index=3)
        manager = authenticated_client(scene.manager)
        writes = [
            manager.post("/training/respond", {"session_id": on_team.pk, "message": "Hello"}, format="json"),
            manager.post("/training/end", {"session_id": on_team.pk}, format="json"),
            manager.post(
                f"/training/sessions/{on_team.pk}/messages/{reply.pk}/dispute", {"reason": "Unfair"}, format="json"
            ),
        ]
        assert [r.status_code for r in writes] == [404, 404, 404]
        on_team.refresh_from_db()
        assert on_team.status == TrainingSession.Status.ACTIVE and on_team.turn_count == 1

    def test_the_team_list_costs_the_same_queries_for_5_and_50_members(self, scene, django_assert_num_queries):
        manager = authenticated_client(scene.manager)
        for members in (5, 50):
            while Membership.objects.filter(team=scene.team).count() < members:
                member = UserFactory()
                Membership.objects.create(team=scene.team, user=member)
                TrainingSessionFactory(user=member, champion=scene.published)
            with django_assert_num_queries(3):  # user, the membership, the page (it holds them all: no COUNT)
                response = manager.get(f"/training/sessions?team_id={scene.team.pk}&page_size=100")
            assert response.json()["count"] == members - 2  # every member but the manager and the rep


class TestPracticeEndsWithAccess:
    """A rep removed from the team (or whose champion was unpublished) cannot go on replying in
    a session begun while it was shared; the session stays the rep's to read and to end."""

    def _started(self, scene) -> int:
        response = start(scene.rep, scene.published.pk)
        assert response.status_code == 201, response.content
        return response.json()["session"]["id"]

    def _reply(self, user, session_id):
        return authenticated_client(user).post(
            "/training/respond",
            {"session_id": session_id, "message": "What does a missed call cost you?"},
            format="json",
        )

    def test_a_removed_rep_cannot_reply_but_reads_and_ends(self, scene):
        session_id = self._started(scene)
        assert self._reply(scene.rep, session_id).status_code == 200
        turns = TrainingSession.objects.get(pk=session_id).turn_count
        Membership.objects.filter(user=scene.rep).delete()

        refused = self._reply(scene.rep, session_id)
        assert refused.status_code == 403
        assert TrainingSession.objects.get(pk=session_id).turn_count == turns
        client = authenticated_client(scene.rep)
        assert client.get(f"/training/sessions/{session_id}").status_code == 200
        assert client.post("/training/end", {"session_id": session_id}, format="json").status_code == 200

    def test_an_unpublished_champion_stops_the_reps_replies(self, scene):
        session_id = self._started(scene)
        scene.published.published_at = None
        scene.published.save(update_fields=["published_at"])
        assert self._reply(scene.rep, session_id).status_code == 403
