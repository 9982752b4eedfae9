from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from adminpanel.models import AdminAlert
from agents.providers.speech import CHAMPION_VOICE, EspeakSynthesizer
from agents.testing.synth import wer
from agents.testing.wire import LocalVendorServer, Reply
from champions.scripted import champion_from_script
from champions.tests.factories import ChampionFactory
from conftest import authenticated_client
from training.models import SessionMessage, TrainingSession
from training.tasks import abandon_idle_sessions

pytestmark = pytest.mark.django_db

WEAK_REPLY = "ok"


@pytest.fixture
def champion(user):
    return champion_from_script(user)


def training_audio_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "training"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def start(client, champion_id: int, **extra):
    return client.post("/training/start", {"champion_id": champion_id, **extra}, format="json")


def respond(client, session_id: int, message: str):
    return client.post("/training/respond", {"session_id": session_id, "message": message}, format="json")


def respond_with_speech(client, session_body: dict):
    """A strong typed reply, asking for the prospect's line (and the reference) as speech."""
    return client.post(
        "/training/respond",
        {"session_id": session_body["id"], "message": strong_reply(session_body), "speech": True},
        format="json",
    )


def strong_reply(session_body: dict) -> str:
    """The champion's own answer to the objection on the table (or a close after the last)."""
    objections = session_body["scenario"]["objections"]
    stage = session_body["stage"]
    if stage < len(objections):
        answer = objections[stage]["champion_response"] or ""
        return f"I understand, that is a fair concern. {answer} Would that work for you?"
    return "Great. As a next step, can we book thirty minutes on Tuesday with your team to plan the pilot?"


class TestConversation:
    def test_a_whole_conversation_won_with_a_push_back_on_a_poor_reply(
        self, user, champion, django_capture_on_commit_callbacks
    ):
        client = authenticated_client(user)
        response = start(client, champion.pk)
        assert response.status_code == 201, response.content
        body = response.json()
        session = body["session"]
        assert body["prospect_message"]["role"] == "prospect" and body["prospect_message"]["content"]
        assert session["scenario"]["difficulty"] == "easy"
        objections = session["scenario"]["objections"]
        assert objections and session["stage"] == 0

        poor = respond(client, session["id"], WEAK_REPLY).json()
        assert poor["session"]["stage"] == 0  # the prospect pushes back on the same objection
        assert poor["evaluation"]["score"] < 50
        assert poor["prospect_message"]["content"] != body["prospect_message"]["content"]

        session = poor["session"]
        for _ in range(len(objections) + 1):
            answer = respond(client, session["id"], strong_reply(session))
            assert answer.status_code == 200, answer.content
            turn = answer.json()
            evaluation = turn["evaluation"]
            assert set(evaluation["criteria"]) >= {
                "technique",
                "acknowledgment",
                "value_next_step",
                "discovery",
                "clarity",
            }
            assert evaluation["judge"] == "offline"
            reference = evaluation["champion_reference"]
            assert reference and reference["end"] > reference["start"] >= 0 and reference["pattern_id"]
            assert any(":" in line and "champion" in line for line in evaluation["feedback"])
            session = turn["session"]
            if session["outcome"]:
                break
        assert session["outcome"] == "won"
        assert respond(client, session["id"], "one more thing").status_code == 409

        with django_capture_on_commit_callbacks(execute=True):
            ended = client.post("/training/end", {"session_id": session["id"]}, format="json")
        assert ended.status_code == 200
        result = ended.json()
        assert 0 < result["overall_score"] <= 100
        assert "outcome: won" in result["summary"]
        assert result["strengths"] or result["improvements"]
        assert {"questions_per_reply", "words_per_reply"} <= set(result["comparison_to_champion"])
        user.refresh_from_db()
        assert user.journey_stage == "first_training"
        assert client.post("/training/end", {"session_id": session["id"]}, format="json").status_code == 409

        detail = client.get(f"/training/sessions/{session['id']}").json()
        assert detail["messages"][0]["role"] == "prospect"
        trainee = [m for m in detail["messages"] if m["role"] == "trainee"]
        assert all(m["evaluation"]["score"] is not None for m in trainee)

    def test_same_reply_in_same_state_gets_the_same_offline_score(self, user, champion):
        client = authenticated_client(user)
        scores = []
        for _ in range(2):
            session = start(client, champion.pk).json()["session"]
            scores.append(
                respond(client, session["id"], "I hear you. What would it cost you to keep things as they are?").json()[
                    "evaluation"
                ]
            )
        assert scores[0] == scores[1]

    def test_too_many_weak_replies_lose_the_prospect(self, user, champion):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        for _ in range(5):
            turn = respond(client, session["id"], WEAK_REPLY).json()
            if turn["session"]["outcome"]:
                break
        assert turn["session"]["outcome"] == "lost"


class TestBadInput:
    def test_start_needs_a_ready_champion_of_ones_own(self, user, champion):
        client = authenticated_client(user)
        assert start(client, ChampionFactory(owner=user).pk).status_code == 409
        assert start(client, ChampionFactory().pk).status_code == 404
        assert start(client, 999999).status_code == 404
        assert start(client, champion.pk, scenario_id=999999).status_code == 404
        assert client.post("/training/start", {"champion_id": "abc"}, format="json").status_code == 400
        assert not TrainingSession.objects.exists()

    def test_respond_refuses_empty_overlong_and_foreign_replies_and_changes_nothing(
        self, user, other_user, champion, settings
    ):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        assert respond(client, session["id"], "   ").status_code == 400
        settings.TRAINING_MAX_MESSAGE_CHARS = 50
        assert respond(client, session["id"], "x" * 51).status_code == 400
        assert respond(authenticated_client(other_user), session["id"], "hello").status_code == 404
        assert client.post("/training/respond", {"session_id": session["id"]}, format="json").status_code == 400
        assert client.post("/training/respond", {"session_id": "x", "message": "hi"}, format="json").status_code == 400
        assert SessionMessage.objects.filter(session_id=session["id"]).count() == 1

    def test_respond_to_an_ended_session_is_409(self, user, champion):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        assert client.post("/training/end", {"session_id": session["id"]}, format="json").status_code == 200
        assert respond(client, session["id"], "hello").status_code == 409

    def test_end_of_another_users_session_is_404(self, user, other_user, champion):
        session = start(authenticated_client(user), champion.pk).json()["session"]
        assert (
            authenticated_client(other_user)
            .post("/training/end", {"session_id": session["id"]}, format="json")
            .status_code
            == 404
        )
        assert TrainingSession.objects.get(pk=session["id"]).status == "active"


class TestReads:
    def test_list_is_own_and_filterable_with_constant_queries(
        self, user, other_user, champion, django_assert_max_num_queries
    ):
        client = authenticated_client(user)
        for _ in range(2):
            start(client, champion.pk)
        other_champion = champion_from_script(other_user, "logistics_routing")
        start(authenticated_client(other_user), other_champion.pk)
        with django_assert_max_num_queries(2):  # user, the page (it holds them all: no COUNT)
            body = client.get("/training/sessions").json()
        assert body["count"] == 2
        for _ in range(8):
            start(client, champion.pk)
        with django_assert_max_num_queries(2):
            assert client.get(f"/training/sessions/?champion_id={champion.pk}&status=active").json()["count"] == 10
        assert client.get("/training/sessions?status=completed").json()["count"] == 0
        assert client.get("/training/sessions?champion_id=abc").status_code == 400
        assert client.get("/training/sessions?champion_id=93377852920802310212288512").status_code == 400
        assert client.get("/training/sessions?status=nonsense").status_code == 400

    def test_detail_query_count_does_not_grow_with_messages(self, user, champion, django_assert_num_queries):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        with django_assert_num_queries(3):  # user, session with champion, messages
            client.get(f"/training/sessions/{session['id']}")
        for _ in range(3):
            respond(client, session["id"], "Could you tell me more about how your team works today?")
        with django_assert_num_queries(3):
            assert len(client.get(f"/training/sessions/{session['id']}").json()["messages"]) == 7

    def test_a_reply_to_an_ended_session_is_refused_before_any_judging(self, user, champion, django_assert_num_queries):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        client.post("/training/end", {"session_id": session["id"]}, format="json")
        with django_assert_num_queries(2):  # user; the session with its champion: no transaction, no judge
            response = respond(client, session["id"], "What matters most to you in this decision?")
        assert response.status_code == 409 and set(response.json()) == {"detail", "code", "fields"}

    def test_respond_query_count_is_constant(self, user, champion, django_assert_num_queries):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        # user; the session with its champion; last prospect line; the champion's patterns (the
        # judge works outside the transaction); savepoint; the session again, locked; both
        # messages in one insert; session update; release.
        with django_assert_num_queries(9):
            first = respond(client, session["id"], "What matters most to you in this decision?").json()
        later = respond(client, session["id"], strong_reply(first["session"])).json()
        respond(client, session["id"], "What else should I know about your team?")
        assert later["session"]["turn_count"] == 5
        with django_assert_num_queries(9):
            last = respond(client, session["id"], "What would success look like in three months?")
        assert last.status_code == 200 and last.json()["session"]["turn_count"] == 9

    def test_progress_shows_criteria_over_sessions_and_the_gap(self, user, champion):
        client = authenticated_client(user)
        for reply in ("ok", "I understand. What would it cost you to wait another quarter?"):
            session = start(client, champion.pk).json()["session"]
            respond(client, session["id"], reply)
            client.post("/training/end", {"session_id": session["id"]}, format="json")
        progress = client.get("/training/progress").json()
        assert len(progress) == 1 and progress[0]["champion_id"] == champion.pk
        assert len(progress[0]["sessions"]) == 2
        assert len(progress[0]["criteria"]["technique"]) == 2
        assert set(progress[0]["gap_to_champion"]) >= {"technique", "clarity"}


class TestRouting:
    @pytest.mark.parametrize(
        "path",
        [
            "/training",
            "/training/{id}",
            "/training/sessions/{id}/start",
            "/training/sessions/{id}/audio/{message_id}/other",
            "/training/sessions/{id}x",
        ],
    )
    def test_no_other_path_reaches_a_session(self, user, champion, path):
        client = authenticated_client(user)
        body = start(client, champion.pk).json()
        concrete = path.format(id=body["session"]["id"], message_id=body["prospect_message"]["id"])
        response = client.get(concrete)
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    def test_reverse_names_exist(self):
        for name in ("training-start", "training-respond", "training-end", "training-progress"):
            assert reverse(name).rstrip("/") == "/training/" + name.removeprefix("training-")
        assert reverse("training-session-list").rstrip("/") == "/training/sessions"
        assert reverse("training-session-detail", args=[7]).rstrip("/") == "/training/sessions/7"
        audio = reverse("training-session-audio", kwargs={"pk": 7, "message_id": 8, "kind": "speech"})
        assert audio.rstrip("/") == "/training/sessions/7/audio/8/speech"


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_to_one_session_are_serialized(user):
    champion = champion_from_script(user)
    session = start(authenticated_client(user), champion.pk).json()["session"]
    results = []

    def reply(text: str) -> None:
        results.append(respond(authenticated_client(user), session["id"], text).status_code)
        connection.close()

    # Three replies: a fourth weak one would find the prospect already lost (409).
    threads = [threading.Thread(target=reply, args=(f"What matters most to you, question {i}?",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 3
    turns = list(
        SessionMessage.objects.filter(session_id=session["id"]).order_by("turn_index").values_list("turn_index", "role")
    )
    assert [t for t, _ in turns] == list(range(7))
    assert [r for _, r in turns] == ["prospect"] + ["trainee", "prospect"] * 3
    assert TrainingSession.objects.get(pk=session["id"]).turn_count == 7


class TestVoicePractice:
    def test_spoken_reply_is_transcribed_scored_and_answered_with_private_speech(
        self, user, other_user, champion, tmp_path
    ):
        said = "I understand your concern about the price. What would slow replies cost you this year?"
        wav = EspeakSynthesizer().synthesize(said, CHAMPION_VOICE, tmp_path / "reply.wav")
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        with open(wav, "rb") as audio:
            response = client.post(
                "/training/respond", {"session_id": session["id"], "audio": audio}, format="multipart"
            )
        assert response.status_code == 200, response.content
        body = response.json()
        # Whisper tiny.en on one espeak sentence: measured 0.2-0.5 WER; the key words survive.
        assert wer(said, body["transcript"]) < 0.6 and "price" in body["transcript"].lower()
        assert body["evaluation"]["score"] > 0
        speech_url = body["prospect_message"]["audio_url"]
        reference_url = body["evaluation"]["reference_audio_url"]
        assert speech_url and reference_url
        heard = client.get(speech_url)
        assert heard.status_code == 200 and heard["Content-Type"] == "audio/wav"
        assert b"RIFF" in b"".join(heard.streaming_content)[:4]
        assert client.get(reference_url).status_code == 200
        assert authenticated_client(other_user).get(speech_url).status_code == 404
        detail = client.get(f"/training/sessions/{session['id']}").json()
        assert detail["messages"][1]["content"] == body["transcript"]

    def test_with_elevenlabs_the_reference_is_spoken_in_the_champions_clone_and_the_prospect_is_not(
        self, user, champion, settings
    ):
        pcm = (np.sin(np.arange(22_050) / 22_050 * 2 * np.pi * 220) * 8000).astype("<i2").tobytes()
        champion.voice_clone_id = "clone-9"
        champion.save(update_fields=["voice_clone_id"])
        with LocalVendorServer() as server:
            server.route("POST", r"/v1/text-to-speech/[\w-]+", Reply(200, pcm, {"content-type": "audio/pcm"}))
            settings.ELEVENLABS_API_KEY, settings.ELEVENLABS_BASE_URL = "xi-test", server.url
            client = authenticated_client(user)
            session = start(client, champion.pk).json()["session"]
            response = respond_with_speech(client, session)
            assert response.status_code == 200, response.content
            spoken_in = [r.path.rsplit("/", 1)[-1] for r in server.requests]

        assert response.json()["evaluation"]["reference_audio_url"]
        prospect_voice, reference_voice = spoken_in
        assert reference_voice == "clone-9"
        assert prospect_voice != "clone-9"

    @pytest.fixture
    def spoken_reply(self, tmp_path) -> Path:
        said = "I understand your concern about the price. What would slow replies cost you this year?"
        return Path(EspeakSynthesizer().synthesize(said, CHAMPION_VOICE, tmp_path / "reply.wav"))

    def post_audio(self, client, session_id: int, path: Path):
        with path.open("rb") as audio:
            return client.post("/training/respond", {"session_id": session_id, "audio": audio}, format="multipart")

    def test_a_transcription_vendor_outage_is_a_503_and_keeps_nothing(self, user, champion, spoken_reply, settings):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        with LocalVendorServer() as server:
            server.route("POST", r"/v1/audio/transcriptions", Reply.json({"error": {"message": "overloaded"}}, 500))
            settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "sk-test", f"{server.url}/v1"
            settings.VENDOR_MAX_RETRIES = 0
            response = self.post_audio(client, session["id"], spoken_reply)

        assert response.status_code == 503, response.content
        assert response["Retry-After"] and response.json()["code"] == "vendor_unavailable"
        assert "overloaded" not in response.json()["detail"]
        assert SessionMessage.objects.filter(session_id=session["id"]).count() == 1
        assert training_audio_files() == []

    def test_a_spoken_reply_refused_after_transcription_keeps_no_recording(
        self, user, champion, spoken_reply, settings
    ):
        settings.TRAINING_MAX_MESSAGE_CHARS = 10
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]

        response = self.post_audio(client, session["id"], spoken_reply)

        assert response.status_code == 400 and "message" in response.json()["fields"]
        assert SessionMessage.objects.filter(session_id=session["id"]).count() == 1
        assert training_audio_files() == []

    def test_an_audio_reply_over_the_size_limit_is_413(self, user, champion, spoken_reply, settings):
        settings.TRAINING_MAX_AUDIO_BYTES = 16 * 1024
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]

        response = self.post_audio(client, session["id"], spoken_reply)

        assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
        assert SessionMessage.objects.filter(session_id=session["id"]).count() == 1
        assert training_audio_files() == []

    def test_a_speech_vendor_failure_still_answers_the_saved_turn_once(self, user, champion, settings):
        with LocalVendorServer() as server:
            server.route("POST", r"/v1/text-to-speech/[\w-]+", Reply.json({"detail": "overloaded"}, 500))
            settings.ELEVENLABS_API_KEY, settings.ELEVENLABS_BASE_URL = "xi-test", server.url
            settings.VENDOR_MAX_RETRIES = 0
            client = authenticated_client(user)
            session = start(client, champion.pk).json()["session"]
            response = respond_with_speech(client, session)

        assert response.status_code == 200, response.content
        assert response.json()["prospect_message"]["audio_url"] is None
        assert TrainingSession.objects.get(pk=session["id"]).turn_count == 3
        assert AdminAlert.objects.filter(type="training.speech_failed").count() == 1

    def test_deleting_the_champion_deletes_the_practice_audio(
        self, user, champion, spoken_reply, django_capture_on_commit_callbacks
    ):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        assert self.post_audio(client, session["id"], spoken_reply).status_code == 200
        assert len(training_audio_files()) == 3  # the rep's reply, the prospect's line, the reference

        with django_capture_on_commit_callbacks(execute=True):
            assert client.delete(f"/champions/{champion.pk}").status_code == 204

        assert training_audio_files() == []

    def test_unreadable_audio_reply_is_400_and_changes_nothing(self, user, champion):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        response = client.post(
            "/training/respond",
            {"session_id": session["id"], "audio": SimpleUploadedFile("reply.webm", b"not audio" * 50)},
            format="multipart",
        )
        assert response.status_code == 400 and "audio" in response.json()["fields"]
        assert SessionMessage.objects.filter(session_id=session["id"]).count() == 1


def test_idle_sessions_are_abandoned_by_the_beat_task(user, champion, settings):
    client = authenticated_client(user)
    idle = start(client, champion.pk).json()["session"]["id"]
    fresh = start(client, champion.pk).json()["session"]["id"]
    TrainingSession.objects.filter(pk=idle).update(last_activity_at=timezone.now() - timedelta(minutes=31))
    assert abandon_idle_sessions.apply().get() == 1
    assert TrainingSession.objects.get(pk=idle).status == "abandoned"
    assert TrainingSession.objects.get(pk=fresh).status == "active"
    assert respond(client, idle, "hello").status_code == 409


class TestJudgeFallback:
    """With Claude configured but refusing every request (a revoked key), reps keep training on
    the offline judge and staff get one alert, not one per reply."""

    @pytest.fixture
    def refusing_claude(self, settings):
        refusal = Reply.json(
            {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}, status=401
        )
        with LocalVendorServer() as server:
            server.route("POST", r"/v1/messages", refusal)
            settings.ANTHROPIC_API_KEY = "sk-ant-revoked"
            settings.ANTHROPIC_BASE_URL = server.url
            settings.VENDOR_MAX_RETRIES = 0
            yield server

    def test_replies_are_scored_offline_and_staff_get_one_alert(self, user, champion, refusing_claude):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        for _ in range(2):
            response = respond(client, session["id"], strong_reply(session))
            assert response.status_code == 200, response.content
            assert response.json()["evaluation"]["judge"] == "offline"
            session = response.json()["session"]

        assert refusing_claude.requests_to(r"/v1/messages"), "the Claude coach was not asked"
        (alert,) = AdminAlert.objects.filter(type="training.judge_fallback")
        assert (alert.resource_type, alert.resource_id) == ("coach", "anthropic")

    def test_the_offline_judge_raises_no_alert(self, user, champion):
        client = authenticated_client(user)
        session = start(client, champion.pk).json()["session"]
        assert respond(client, session["id"], WEAK_REPLY).status_code == 200
        assert not AdminAlert.objects.filter(type="training.judge_fallback").exists()
