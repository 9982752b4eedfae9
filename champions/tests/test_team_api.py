"""Team champions through the API (README.md, "Teams"): the list and detail of what a caller
sees, upload into a team, publish, unpublish, move, and the review of the playbook (hide or
reword a pattern: audited, never used again, scenarios rebuilt)."""

from __future__ import annotations

import numpy as np
import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from agents.providers.embeddings import embed
from champions.models import Champion, ChampionPattern
from champions.selectors import champion_patterns, champion_playbook
from champions.tests.factories import (
    FULL_CALL_METRICS,
    ChampionFactory,
    EmbeddedPatternFactory,
    ReadyChampionFactory,
    ScenarioFactory,
    TeamScene,
    team_scene,
)
from champions.tests.test_api import assert_nothing_stored, media_files
from conftest import authenticated_client
from teams.models import Membership
from teams.tests.factories import team_with

pytestmark = pytest.mark.django_db

OBJECTIONS = [
    ("It is too expensive for us.", "Let us look at what slow replies cost you today."),
    ("We are locked into our current vendor until next year.", "We can start with a pilot alongside it."),
    ("Our IT team has no time to set this up.", "Setup takes an afternoon and we do it for you."),
]


@pytest.fixture
def scene(db) -> TeamScene:
    return team_scene()


def playbook_champion(owner, team=None) -> Champion:
    """A ready champion with three objections, the champion's answers and a value statement."""
    champion = ReadyChampionFactory(owner=owner, team=team, call_metrics=FULL_CALL_METRICS)
    position = 0
    for index, (objection, answer) in enumerate(OBJECTIONS):
        start = 30.0 + 20 * index
        EmbeddedPatternFactory(
            champion=champion, position=position, category="objection", text=objection, speaker="other", start=start
        )
        EmbeddedPatternFactory(
            champion=champion,
            position=position + 1,
            category="objection_response",
            text=answer,
            responds_to=objection,
            start=start + 5,
        )
        position += 2
    EmbeddedPatternFactory(
        champion=champion, position=position, category="value_statement", text="We halve your reply times."
    )
    # The scenarios the pipeline wrote, whose ids assignments and sessions point at.
    for index, difficulty in enumerate(("easy", "medium", "hard")):
        ScenarioFactory(champion=champion, position=index, difficulty=difficulty)
    return champion


def upload(client, content: bytes, **extra):
    return client.post("/upload", {"file": SimpleUploadedFile("call.wav", content), **extra}, format="multipart")


class TestListAndDetail:
    def test_the_list_has_personal_and_visible_team_champions_with_team_published_and_can_manage(self, scene):
        own = ChampionFactory(owner=scene.rep)
        ChampionFactory(owner=scene.outsider)
        body = authenticated_client(scene.rep).get("/champions").json()
        rows = {row["id"]: row for row in body["results"]}
        assert set(rows) == {own.pk, scene.published.pk}
        assert rows[own.pk]["team"] is None and rows[own.pk]["can_manage"] is True
        assert rows[scene.published.pk]["team"] == {"id": scene.team.pk, "name": scene.team.name}
        assert rows[scene.published.pk]["published"] is True and rows[scene.published.pk]["can_manage"] is False
        managed = authenticated_client(scene.manager).get("/champions").json()["results"]
        assert {(r["id"], r["published"], r["can_manage"]) for r in managed} == {
            (scene.draft.pk, False, True),
            (scene.published.pk, True, True),
        }

    def test_the_list_costs_the_same_queries_for_5_and_50_team_champions_and_members(
        self, scene, django_assert_num_queries
    ):
        client = authenticated_client(scene.rep)

        def grow_to(count: int) -> None:
            while Champion.objects.filter(team=scene.team).count() < count:
                champion = ReadyChampionFactory(owner=scene.manager, team=scene.team, published_at=timezone.now())
                EmbeddedPatternFactory(champion=champion)
                ScenarioFactory(champion=champion)
                Membership.objects.create(team=scene.team, user=UserFactory())

        for count in (5, 50):
            grow_to(count)
            # One page holds them all: its length is the count, no COUNT query.
            with django_assert_num_queries(2):  # user, page with the team, counts and the caller's teams
                response = client.get("/champions?page_size=100")
            assert response.status_code == 200
            assert response.json()["count"] == count - 1  # the draft is the manager's only

    def test_the_list_counts_only_the_patterns_in_use(self, scene):
        EmbeddedPatternFactory(champion=scene.published, position=0)
        EmbeddedPatternFactory(champion=scene.published, position=1, hidden=True)
        rows = authenticated_client(scene.rep).get("/champions").json()["results"]
        assert rows[0]["pattern_count"] == 1

    def test_the_detail_shows_hidden_patterns_to_managers_only(self, scene, django_assert_num_queries):
        shown = EmbeddedPatternFactory(champion=scene.published, position=0)
        hidden = EmbeddedPatternFactory(champion=scene.published, position=1, hidden=True)
        manager = authenticated_client(scene.manager).get(f"/champions/{scene.published.pk}").json()
        assert [(p["id"], p["hidden"]) for p in manager["patterns"]] == [(shown.pk, False), (hidden.pk, True)]
        assert manager["can_manage"] is True and manager["team"]["id"] == scene.team.pk
        client = authenticated_client(scene.rep)
        with django_assert_num_queries(
            5
        ):  # user, champion with its team's name, the caller's teams, patterns, scenarios
            rep = client.get(f"/champions/{scene.published.pk}").json()
        assert [p["id"] for p in rep["patterns"]] == [shown.pk]
        assert rep["can_manage"] is False and rep["published"] is True

    def test_a_removed_member_loses_the_team_champions_at_once(self, scene):
        client = authenticated_client(scene.rep)
        assert client.get(f"/champions/{scene.published.pk}").status_code == 200
        Membership.objects.filter(user=scene.rep).delete()
        assert client.get(f"/champions/{scene.published.pk}").status_code == 404
        assert client.get("/champions").json()["results"] == []


class TestUploadIntoATeam:
    def test_a_manager_uploads_a_draft_of_the_team_with_its_context(self, scene, short_call):
        response = upload(
            authenticated_client(scene.manager),
            short_call.mp4.read_bytes(),
            team_id=scene.team.pk,
            context="Acme\x1b helpdesk\u202e, call with\n\tDana ",
        )
        assert response.status_code == 201, response.content
        champion = Champion.objects.get(pk=response.json()["id"])
        assert (champion.team_id, champion.published_at, champion.owner_id) == (scene.team.pk, None, scene.manager.pk)
        assert champion.context == "Acme helpdesk , call with Dana"

    @pytest.mark.parametrize(("who", "expected"), [("rep", 403), ("outsider", 404)])
    def test_a_rep_or_a_stranger_cannot_upload_into_the_team_and_nothing_is_stored(
        self, scene, short_call, monkeypatch, who, expected
    ):
        from champions import services

        def no_decoding(*args, **kwargs):
            raise AssertionError("a refused upload is not decoded")

        monkeypatch.setattr(services, "measure_audio", no_decoding)
        Champion.objects.all().delete()
        response = upload(authenticated_client(getattr(scene, who)), short_call.mp4.read_bytes(), team_id=scene.team.pk)
        assert response.status_code == expected, response.content
        assert set(response.json()) == {"detail", "code", "fields"}
        assert_nothing_stored()

    @pytest.mark.parametrize("team_id", [0, 2**63, "sales"])
    def test_a_team_id_that_is_no_id_is_400(self, scene, team_id):
        response = upload(authenticated_client(scene.manager), b"x" * 100, team_id=team_id)
        assert response.status_code == 400 and "team_id" in response.json()["fields"]
        personal = ReadyChampionFactory(owner=scene.manager)
        response = authenticated_client(scene.manager).post(
            f"/champions/{personal.pk}/move", {"team_id": team_id}, format="json"
        )
        assert response.status_code == 400 and "team_id" in response.json()["fields"]

    def test_a_context_over_1000_characters_is_400(self, scene):
        response = upload(authenticated_client(scene.manager), b"x" * 100, context="a" * 1001)
        assert response.status_code == 400 and "context" in response.json()["fields"]
        assert media_files() == []


class TestPublish:
    def test_a_manager_publishes_and_unpublishes_and_reps_follow(self, scene):
        manager, rep = authenticated_client(scene.manager), authenticated_client(scene.rep)
        assert rep.get(f"/champions/{scene.draft.pk}").status_code == 404
        response = manager.post(f"/champions/{scene.draft.pk}/publish")
        assert response.status_code == 200 and response.json()["published"] is True
        assert rep.get(f"/champions/{scene.draft.pk}").status_code == 200
        assert manager.post(f"/champions/{scene.draft.pk}/unpublish/").json()["published"] is False
        assert rep.get(f"/champions/{scene.draft.pk}").status_code == 404
        actions = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Champion),
            object_pk=str(scene.draft.pk),
            additional_data__action__startswith="CHAMPION_",
        ).values_list("additional_data__action", flat=True)
        assert sorted(actions) == ["CHAMPION_PUBLISH", "CHAMPION_UNPUBLISH"]

    def test_a_rep_gets_403_on_a_published_one_and_404_on_a_draft(self, scene):
        rep = authenticated_client(scene.rep)
        assert rep.post(f"/champions/{scene.published.pk}/unpublish").status_code == 403
        assert rep.post(f"/champions/{scene.draft.pk}/publish").status_code == 404
        scene.published.refresh_from_db()
        assert scene.published.published_at is not None

    def test_a_personal_champion_and_one_not_ready_are_409_with_the_reason(self, scene):
        manager = authenticated_client(scene.manager)
        personal = ReadyChampionFactory(owner=scene.manager)
        response = manager.post(f"/champions/{personal.pk}/publish")
        assert response.status_code == 409 and "personal champion" in response.json()["detail"]
        busy = ChampionFactory(owner=scene.manager, team=scene.team, status=Champion.Status.PROCESSING)
        response = manager.post(f"/champions/{busy.pk}/publish")
        assert response.status_code == 409 and "processing" in response.json()["detail"]
        busy.refresh_from_db()
        assert busy.published_at is None


class TestMove:
    def test_the_owner_moves_a_personal_champion_into_a_team_they_manage_as_a_draft(self, scene):
        personal = ReadyChampionFactory(owner=scene.manager)
        response = authenticated_client(scene.manager).post(
            f"/champions/{personal.pk}/move", {"team_id": scene.team.pk}, format="json"
        )
        assert response.status_code == 200, response.content
        personal.refresh_from_db()
        assert personal.team_id == scene.team.pk and personal.published_at is None
        assert authenticated_client(scene.rep).get(f"/champions/{personal.pk}").status_code == 404

    def test_into_a_team_where_the_owner_is_a_rep_is_403_and_elsewhere_404(self, scene):
        personal = ReadyChampionFactory(owner=scene.rep)
        client = authenticated_client(scene.rep)
        assert (
            client.post(f"/champions/{personal.pk}/move", {"team_id": scene.team.pk}, format="json").status_code == 403
        )
        other_team = team_with(scene.outsider, name="Elsewhere")
        assert (
            client.post(f"/champions/{personal.pk}/move", {"team_id": other_team.pk}, format="json").status_code == 404
        )
        personal.refresh_from_db()
        assert personal.team_id is None

    def test_a_team_champion_cannot_move_and_someone_elses_is_404(self, scene):
        manager = authenticated_client(scene.manager)
        assert (
            manager.post(f"/champions/{scene.draft.pk}/move", {"team_id": scene.team.pk}, format="json").status_code
            == 409
        )
        strangers = ReadyChampionFactory(owner=scene.outsider)
        assert (
            manager.post(f"/champions/{strangers.pk}/move", {"team_id": scene.team.pk}, format="json").status_code
            == 404
        )


class TestPatternReview:
    def test_hiding_an_objection_removes_it_from_the_judge_the_engines_and_the_scenarios(self, scene):
        champion = playbook_champion(scene.manager, scene.team)
        scenario_ids = list(champion.scenarios.order_by("position").values_list("pk", flat=True))
        hidden = champion.patterns.get(text=OBJECTIONS[0][0])
        response = authenticated_client(scene.manager).patch(
            f"/champions/{champion.pk}/patterns/{hidden.pk}", {"hidden": True}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["hidden"] is True and response.json()["id"] == hidden.pk
        assert hidden.pk not in champion_playbook(champion.pk).pattern_ids
        assert OBJECTIONS[0][0] not in [p.text for p in champion_patterns(champion_id=champion.pk)]
        scenarios = list(champion.scenarios.order_by("position"))
        # Rebuilt from the patterns in use, in place: the same ids, the hidden objection gone.
        assert [s.pk for s in scenarios] == scenario_ids
        raised = [o["text"] for s in scenarios for o in s.objections]
        assert OBJECTIONS[0][0] not in raised and OBJECTIONS[1][0] in raised
        entry = LogEntry.objects.get(additional_data__action="CHAMPION_PATTERN_EDIT", object_pk=str(hidden.pk))
        assert entry.changes_dict["hidden"] == [False, True]

    def test_rewording_re_embeds_the_pattern_and_its_answers_follow(self, scene):
        champion = playbook_champion(scene.manager, scene.team)
        objection = champion.patterns.get(text=OBJECTIONS[1][0])
        before = objection.vector
        new_text = "We signed a two-year contract with another vendor."
        response = authenticated_client(scene.manager).patch(
            f"/champions/{champion.pk}/patterns/{objection.pk}/", {"text": f"  {new_text}\n"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["text"] == new_text and response.json()["edited_at"]
        objection.refresh_from_db()
        assert np.allclose(objection.vector, embed([new_text])[0], atol=1e-5)
        assert not np.allclose(objection.vector, before)
        assert champion.patterns.get(category="objection_response", responds_to=new_text).text == OBJECTIONS[1][1]
        hard = champion.scenarios.get(difficulty="hard")
        assert {"text": new_text, "champion_response": OBJECTIONS[1][1]}.items() <= next(
            o for o in hard.objections if o["text"] == new_text
        ).items()
        entry = LogEntry.objects.get(additional_data__action="CHAMPION_PATTERN_EDIT", object_pk=str(objection.pk))
        assert entry.additional_data["by_user_id"] == scene.manager.pk

    def test_the_owner_of_a_personal_champion_edits_its_patterns(self, user, api_client):
        champion = playbook_champion(user)
        pattern = champion.patterns.get(category="value_statement")
        response = api_client.patch(
            f"/champions/{champion.pk}/patterns/{pattern.pk}",
            {"hidden": True, "text": "Replies twice as fast."},
            format="json",
        )
        assert response.status_code == 200
        pattern.refresh_from_db()
        assert pattern.hidden and pattern.text == "Replies twice as fast." and pattern.edited_at

    @pytest.mark.parametrize(
        "body",
        [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 2001}, {"hidden": "maybe"}],
        ids=["nothing", "empty", "blank", "too-long", "not-a-bool"],
    )
    def test_bad_input_is_400_and_changes_nothing(self, scene, body):
        champion = playbook_champion(scene.manager, scene.team)
        pattern = champion.patterns.first()
        response = authenticated_client(scene.manager).patch(
            f"/champions/{champion.pk}/patterns/{pattern.pk}", body, format="json"
        )
        assert response.status_code == 400, response.content
        assert set(response.json()) == {"detail", "code", "fields"}
        assert ChampionPattern.objects.get(pk=pattern.pk).text == pattern.text
        assert not LogEntry.objects.filter(additional_data__action="CHAMPION_PATTERN_EDIT").exists()

    def test_a_pattern_of_another_champion_is_404_and_a_busy_champion_409(self, scene):
        champion = playbook_champion(scene.manager, scene.team)
        elsewhere = EmbeddedPatternFactory(champion=ReadyChampionFactory(owner=scene.manager, team=scene.team))
        manager = authenticated_client(scene.manager)
        url = f"/champions/{champion.pk}/patterns/{elsewhere.pk}"
        assert manager.patch(url, {"hidden": True}, format="json").status_code == 404
        Champion.objects.filter(pk=champion.pk).update(status=Champion.Status.PROCESSING)
        pattern = champion.patterns.first()
        url = f"/champions/{champion.pk}/patterns/{pattern.pk}"
        assert manager.patch(url, {"hidden": True}, format="json").status_code == 409
        assert not ChampionPattern.objects.filter(hidden=True).exists()
