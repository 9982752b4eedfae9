"""The hand-built bodies of the hot read paths (issue 13) equal DRF's from the declared fields,
which the OpenAPI schema documents: the session list and detail, a rep's assignments, and the
profile of ``/auth/me``."""

from __future__ import annotations

import orjson
import pytest
from django.utils import timezone

from accounts.api.serializers import UserSerializer
from accounts.tests.factories import UserFactory
from core.api.representation import drf_representation
from training import services
from training.api.assignment_serializers import MyAssignmentSerializer
from training.api.serializers import SessionDetailSerializer, SessionListSerializer
from training.selectors import session_detail_queryset, session_list
from training.tests.assignment_scene import make_assignment, scene
from training.tests.factories import TraineeMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_session_list_and_detail_bodies_are_drfs():
    ended = TrainingSessionFactory(status="completed", outcome="won", overall_score=71.5, ended_at=timezone.now())
    TraineeMessageFactory(session=ended, turn_index=1)
    (row,) = session_list(user=ended.user)
    # The filtered list (SQL built per request) gives the same row as the compiled one.
    assert list(session_list(user=ended.user, status="completed", champion_id=ended.champion_id)) == [row]
    # The row's scenario is its stored JSON, sent as it is: the same body once rendered.
    listed = orjson.loads(orjson.dumps(SessionListSerializer().represent(row)))
    assert listed == drf_representation(SessionListSerializer(), row)
    assert listed["scenario"] == ended.scenario_snapshot and listed["objections_total"] == 2
    detail = session_detail_queryset(user=ended.user).get(pk=ended.pk)
    body = SessionDetailSerializer().represent(detail)
    assert body == drf_representation(SessionDetailSerializer(), detail)
    assert body["scenario"]["objections"] and body["messages"][0]["evaluation"]["score"] is not None


def test_my_assignment_body_is_drfs():
    s = scene()
    make_assignment(s)
    row = services.assignments_of(s.rep).get()
    context = {"now": timezone.now()}
    assert MyAssignmentSerializer(context=context).represent(row) == drf_representation(
        MyAssignmentSerializer(context=context), row
    )


def test_profile_body_is_drfs():
    user = UserFactory(last_login_at=timezone.now())
    assert UserSerializer().represent(user) == drf_representation(UserSerializer(), user)


def test_respond_body_is_drfs():
    from champions.tests.factories import PatternFactory, ReadyChampionFactory, ScenarioFactory
    from training.api.serializers import RespondOutputSerializer

    champion = ReadyChampionFactory()
    objection, answer = (
        "It is too expensive for us.",
        "I understand, price matters. What does a lost customer cost you?",
    )
    PatternFactory(champion=champion, category="objection", speaker="other", text=objection, start=40, end=42)
    PatternFactory(champion=champion, category="objection_response", speaker="champion", text=answer, start=42, end=48)
    ScenarioFactory(champion=champion, objections=[{"text": objection, "champion_response": answer, "start": 40.0}])
    session = services.session_start(user=champion.owner, champion_id=champion.pk)
    serializer = RespondOutputSerializer()

    typed = services.session_respond(user=champion.owner, session_id=session.pk, message=answer)
    expected = drf_representation(serializer, typed)
    del expected["transcript"]  # a typed reply has none
    body = serializer.to_representation(typed)
    assert body == expected and body["evaluation"]["champion_reference"]["text"] == answer

    spoken = services.session_respond(
        user=champion.owner, session_id=session.pk, message="ok", input_audio="replies/1.wav", audio_seconds=1.5
    )
    spoken.prospect_message.speech_audio = "speech/2.mp3"
    body = serializer.to_representation(spoken)
    assert body == drf_representation(serializer, spoken)
    assert body["transcript"] == "ok" and body["prospect_message"]["audio_url"].endswith("/speech")
