"""``POST /training/sessions/{id}/messages/{message_id}/dispute``: the contract (status codes,
shape, scoping, both slash forms, the rate limit), and the dispute's status in the session
detail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from champions.scripted import champion_from_script
from conftest import authenticated_client
from training import services
from training.tests.factories import SessionMessageFactory, TraineeMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

REASON = "I answered the price concern with their own figures; 40 is too low."


@pytest.fixture
def reply(user):
    session = TrainingSessionFactory(user=user)
    SessionMessageFactory(session=session, turn_index=0, content="Hi. It is too expensive for us.")
    return TraineeMessageFactory(session=session, turn_index=1, score=40, judge_version="2")


def dispute_url(message, *, slash: bool = False, session_id: int | None = None) -> str:
    return f"/training/sessions/{session_id or message.session_id}/messages/{message.pk}/dispute" + (
        "/" if slash else ""
    )


def post(client, url: str, reason: object = REASON):
    return client.post(url, {"reason": reason}, format="json")


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and "detail" in response.json()


class TestDispute:
    @pytest.mark.parametrize("slash", [False, True])
    def test_a_rep_disputes_a_scored_reply_of_their_own_201(self, user, reply, slash):
        response = post(authenticated_client(user), dispute_url(reply, slash=slash))

        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == {"id", "message_id", "reason", "status", "created_at"}
        assert (body["message_id"], body["reason"], body["status"]) == (reply.pk, REASON, "open")

    def test_a_reply_in_another_users_session_is_404(self, reply, other_user):
        assert_error(post(authenticated_client(other_user), dispute_url(reply)), 404, "not_found")

    def test_a_message_of_another_session_is_404(self, user, reply):
        own_other = TrainingSessionFactory(user=user)
        assert_error(post(authenticated_client(user), dispute_url(reply, session_id=own_other.pk)), 404, "not_found")

    def test_a_second_dispute_of_the_same_reply_is_409(self, user, reply):
        client = authenticated_client(user)
        assert post(client, dispute_url(reply)).status_code == 201
        assert_error(post(client, dispute_url(reply, slash=True), "Still wrong."), 409, "conflict")

    def test_a_prospect_line_or_an_unscored_reply_is_400(self, user, reply):
        client = authenticated_client(user)
        prospect_line = reply.session.messages.get(turn_index=0)
        unscored = TraineeMessageFactory(session=reply.session, turn_index=2, score=None)
        for message in (prospect_line, unscored):
            response = post(client, dispute_url(message))
            assert_error(response, 400, "invalid")
            assert "message_id" in response.json()["fields"]

    @pytest.mark.parametrize("reason", ["", "   ", None, "x" * 2001, ["a list"]])
    def test_a_missing_blank_or_overlong_reason_is_400(self, user, reply, reason):
        response = post(authenticated_client(user), dispute_url(reply), reason)
        assert_error(response, 400, "invalid")
        assert "reason" in response.json()["fields"]

    def test_anonymous_is_401(self, anon_client, reply):
        assert_error(post(anon_client, dispute_url(reply)), 401, "not_authenticated")

    def test_other_methods_are_405(self, user, reply):
        assert authenticated_client(user).get(dispute_url(reply)).status_code == 405

    def test_at_most_20_disputes_per_hour_per_user(self, user):
        client = authenticated_client(user)
        session = TrainingSessionFactory(user=user)
        replies = [TraineeMessageFactory(session=session, turn_index=i) for i in range(21)]
        statuses = [post(client, dispute_url(message)).status_code for message in replies]
        assert statuses == [201] * 20 + [429]

    def test_the_route_has_a_name(self):
        url = reverse("training-session-dispute", kwargs={"pk": 7, "message_id": 8})
        assert url.rstrip("/") == "/training/sessions/7/messages/8/dispute"


class TestSessionDetailShowsDisputes:
    def test_each_evaluation_shows_its_judge_version_and_latest_dispute(self, user, reply, admin_user):
        client = authenticated_client(user)
        dispute = post(client, dispute_url(reply)).json()

        messages = client.get(f"/training/sessions/{reply.session_id}").json()["messages"]
        evaluation = messages[1]["evaluation"]
        assert messages[0]["evaluation"] is None
        assert evaluation["judge"] == "offline" and evaluation["judge_version"] == "2"
        assert evaluation["dispute"] == {
            "id": dispute["id"],
            "status": "open",
            "corrected_score": None,
            "resolution_note": "",
        }

        services.dispute_accept(dispute_id=dispute["id"], reviewer=admin_user, corrected_score=71, note="Fair.")
        evaluation = client.get(f"/training/sessions/{reply.session_id}").json()["messages"][1]["evaluation"]
        assert evaluation["dispute"]["status"] == "accepted" and evaluation["dispute"]["corrected_score"] == 71
        assert evaluation["score"] == 40  # the judge's own score is kept

    def test_an_undisputed_evaluation_has_no_dispute(self, user, reply):
        evaluation = authenticated_client(user).get(f"/training/sessions/{reply.session_id}").json()["messages"][1]
        assert evaluation["evaluation"]["dispute"] is None

    def test_the_detail_costs_the_same_queries_however_many_disputes(self, user, django_assert_num_queries):
        client = authenticated_client(user)
        session = TrainingSessionFactory(user=user)
        replies = [TraineeMessageFactory(session=session, turn_index=i) for i in range(6)]
        post(client, dispute_url(replies[0]))
        with django_assert_num_queries(3):  # user, session with champion, messages with disputes
            client.get(f"/training/sessions/{session.pk}")
        for message in replies[1:]:
            post(client, dispute_url(message))
        with django_assert_num_queries(3):
            assert len(client.get(f"/training/sessions/{session.pk}").json()["messages"]) == 6


def test_a_reply_scored_in_a_real_session_can_be_disputed(user):
    """End to end: the offline judge scores the reply and records its version; the rep disputes it."""
    from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION

    champion = champion_from_script(user)
    client = authenticated_client(user)
    session = client.post("/training/start", {"champion_id": champion.pk}, format="json").json()["session"]
    client.post("/training/respond", {"session_id": session["id"], "message": "ok"}, format="json")
    reply = client.get(f"/training/sessions/{session['id']}").json()["messages"][1]
    assert reply["evaluation"]["judge"] == "offline"
    assert reply["evaluation"]["judge_version"] == OFFLINE_JUDGE_VERSION

    response = client.post(
        f"/training/sessions/{session['id']}/messages/{reply['id']}/dispute", {"reason": REASON}, format="json"
    )

    assert response.status_code == 201 and response.json()["message_id"] == reply["id"]
