"""The training services: starting a session, scoring a reply against the champion and storing
the turn, ending with the summary figures, abandoning idle sessions, validating replies. The
prospect and the judge are the offline engines (no key configured), which are deterministic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from champions.models import Champion
from champions.tests.factories import ChampionFactory, PatternFactory, ReadyChampionFactory, ScenarioFactory
from core import events
from core.errors import Conflict, InvalidInput, NotFound
from training import services
from training.models import SessionMessage, TrainingSession
from training.tests.factories import CRITERIA, SessionMessageFactory, TraineeMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

PRICE_OBJECTION = "It is too expensive for us."
CHAMPION_ANSWER = (
    "I understand, price matters. Let us look at the cost of slow replies: what does a lost customer cost you?"
)
CHAMPION_CLOSE = "As a next step, can we book thirty minutes on Tuesday with your team?"
WEAK_REPLY = "ok"


@pytest.fixture
def champion(user) -> Champion:
    """A ready champion of ``user``: the buyer's price objection, the champion's answer and
    close, and one easy scenario with that objection."""
    champion = ReadyChampionFactory(owner=user)
    PatternFactory(champion=champion, category="objection", speaker="other", text=PRICE_OBJECTION, start=40, end=42)
    PatternFactory(
        champion=champion, category="objection_response", speaker="champion", text=CHAMPION_ANSWER, start=42, end=48
    )
    PatternFactory(champion=champion, category="closing", speaker="champion", text=CHAMPION_CLOSE, start=90, end=95)
    ScenarioFactory(
        champion=champion,
        objections=[{"text": PRICE_OBJECTION, "champion_response": CHAMPION_ANSWER, "start": 40.0}],
    )
    return champion


@pytest.fixture
def session(user, champion) -> TrainingSession:
    return services.session_start(user=user, champion_id=champion.pk)


def messages_of(session: TrainingSession) -> list[tuple[int, str]]:
    return list(SessionMessage.objects.filter(session=session).order_by("turn_index").values_list("turn_index", "role"))


class TestSessionStart:
    def test_opens_on_the_easiest_scenario_with_the_prospects_first_objection(self, user):
        champion = ReadyChampionFactory(owner=user)
        ScenarioFactory(champion=champion, position=0, difficulty="hard", title="Hard")
        ScenarioFactory(champion=champion, position=2, difficulty="easy", title="Easy, later")
        easiest = ScenarioFactory(champion=champion, position=1, difficulty="easy", title="Easy, first")
        ScenarioFactory(champion=champion, position=3, difficulty="medium", title="Medium")

        session = services.session_start(user=user, champion_id=champion.pk)

        stored = TrainingSession.objects.get(pk=session.pk)
        assert (stored.user_id, stored.champion_id, stored.scenario_id) == (user.pk, champion.pk, easiest.pk)
        assert (stored.status, stored.stage, stored.weak_streak, stored.turn_count, stored.outcome) == (
            "active",
            0,
            0,
            1,
            "",
        )
        (opening,) = SessionMessage.objects.filter(session=session)
        assert (opening.role, opening.turn_index, opening.stage) == ("prospect", 0, 0)
        assert opening.content.endswith(PRICE_OBJECTION)

    def test_the_session_keeps_its_own_copy_of_the_scenario(self, user, champion):
        scenario = champion.scenarios.get()

        session = services.session_start(user=user, champion_id=champion.pk, scenario_id=scenario.pk)
        scenario.title, scenario.objections = "Rewritten by a re-analysis", []
        scenario.save()

        snapshot = TrainingSession.objects.get(pk=session.pk).scenario_snapshot
        assert snapshot == {
            "id": scenario.pk,
            "title": "Price-sensitive head of support",
            "persona": "Daniel, head of support at an online store",
            "context": "Evaluating helpdesk tools",
            "goal": "Book a pilot",
            "difficulty": "easy",
            "objections": [{"text": PRICE_OBJECTION, "champion_response": CHAMPION_ANSWER, "start": 40.0}],
        }

    def test_a_chosen_scenario_of_the_champion_is_the_one_practised(self, user, champion):
        harder = ScenarioFactory(champion=champion, difficulty="hard", title="The sceptical CFO")

        session = services.session_start(user=user, champion_id=champion.pk, scenario_id=harder.pk)

        assert TrainingSession.objects.get(pk=session.pk).scenario_snapshot["title"] == "The sceptical CFO"

    def test_a_scenario_of_another_champion_is_not_found(self, user, champion):
        elsewhere = ScenarioFactory(champion=ReadyChampionFactory(owner=user))

        with pytest.raises(NotFound):
            services.session_start(user=user, champion_id=champion.pk, scenario_id=elsewhere.pk)
        assert not TrainingSession.objects.filter(user=user).exists()

    def test_the_champion_of_another_user_is_not_found(self, user, other_user, champion):
        with pytest.raises(NotFound):
            services.session_start(user=other_user, champion_id=champion.pk)
        with pytest.raises(NotFound):
            services.session_start(user=user, champion_id=champion.pk + 10_000)
        assert not TrainingSession.objects.exists()

    @pytest.mark.parametrize("status", ["uploaded", "queued", "processing", "failed"])
    def test_a_champion_not_ready_is_a_conflict(self, user, status):
        champion = ChampionFactory(owner=user, status=status)
        ScenarioFactory(champion=champion)

        with pytest.raises(Conflict) as raised:
            services.session_start(user=user, champion_id=champion.pk)
        assert status in raised.value.message
        assert not TrainingSession.objects.filter(user=user).exists()

    def test_a_ready_champion_without_scenarios_is_a_conflict(self, user):
        champion = ReadyChampionFactory(owner=user)

        with pytest.raises(Conflict):
            services.session_start(user=user, champion_id=champion.pk)
        assert not TrainingSession.objects.filter(user=user).exists()


class TestSessionRespond:
    def test_stores_the_scored_reply_and_the_prospects_answer_as_one_turn(self, user, session):
        before = session.last_activity_at

        result = services.session_respond(user=user, session_id=session.pk, message="  What matters most to you?  ")

        trainee = SessionMessage.objects.get(session=session, turn_index=1)
        prospect = SessionMessage.objects.get(session=session, turn_index=2)
        assert (result.trainee_message.pk, result.prospect_message.pk) == (trainee.pk, prospect.pk)
        assert (trainee.role, trainee.content, trainee.stage, trainee.judge) == (
            "trainee",
            "What matters most to you?",
            0,
            "offline",
        )
        assert 0 <= trainee.score <= 100 and set(trainee.criteria) == set(CRITERIA)
        assert set(trainee.weights) == set(CRITERIA) and trainee.feedback
        assert (prospect.role, prospect.score) == ("prospect", None) and prospect.content
        stored = TrainingSession.objects.get(pk=session.pk)
        assert stored.turn_count == 3 and stored.last_activity_at > before
        assert result.session.turn_count == 3

    def test_the_champions_own_answer_moves_on_and_cites_the_champions_pattern(self, user, champion, session):
        answer = champion.patterns.get(category="objection_response")

        result = services.session_respond(user=user, session_id=session.pk, message=CHAMPION_ANSWER)

        trainee = SessionMessage.objects.get(pk=result.trainee_message.pk)
        assert trainee.score >= 55  # the easy scenario's pass mark
        assert trainee.champion_reference == {
            "pattern_id": answer.pk,
            "text": CHAMPION_ANSWER,
            "start": 42.0,
            "end": 48.0,
            "category": "objection_response",
        }
        assert any("your champion answered" in line for line in trainee.feedback)
        stored = TrainingSession.objects.get(pk=session.pk)
        assert (stored.stage, stored.weak_streak, stored.outcome) == (1, 0, "")
        assert SessionMessage.objects.get(pk=result.prospect_message.pk).stage == 1

    def test_after_the_last_objection_the_champions_close_wins_the_prospect(self, user, session):
        services.session_respond(user=user, session_id=session.pk, message=CHAMPION_ANSWER)

        services.session_respond(user=user, session_id=session.pk, message=CHAMPION_CLOSE)

        assert TrainingSession.objects.get(pk=session.pk).outcome == "won"

    def test_weak_replies_keep_the_objection_on_the_table_until_the_prospect_is_lost(self, user, session):
        streaks = []
        for _ in range(3):
            result = services.session_respond(user=user, session_id=session.pk, message=WEAK_REPLY)
            streaks.append((result.session.stage, result.session.weak_streak, result.session.outcome))

        assert streaks == [(0, 1, ""), (0, 2, ""), (0, 3, "lost")]
        scores = SessionMessage.objects.filter(session=session, role="trainee").values_list("score", flat=True)
        assert len(scores) == 3 and all(score < 55 for score in scores)

    def test_a_decided_conversation_takes_no_more_replies(self, user, session):
        for _ in range(3):
            services.session_respond(user=user, session_id=session.pk, message=WEAK_REPLY)

        with pytest.raises(Conflict) as raised:
            services.session_respond(user=user, session_id=session.pk, message="Wait, one more thing")

        assert "lost" in raised.value.message
        assert len(messages_of(session)) == 7

    @pytest.mark.parametrize("status", ["completed", "abandoned"])
    def test_a_session_no_longer_active_is_a_conflict(self, user, session, status):
        TrainingSession.objects.filter(pk=session.pk).update(status=status)

        with pytest.raises(Conflict) as raised:
            services.session_respond(user=user, session_id=session.pk, message="Hello?")

        assert status in raised.value.message
        assert messages_of(session) == [(0, "prospect")]

    def test_the_session_of_another_user_is_not_found(self, other_user, session):
        with pytest.raises(NotFound):
            services.session_respond(user=other_user, session_id=session.pk, message="Hello?")
        with pytest.raises(NotFound):
            services.session_respond(user=other_user, session_id=session.pk + 10_000, message="Hello?")

        assert messages_of(session) == [(0, "prospect")]
        assert TrainingSession.objects.get(pk=session.pk).turn_count == 1

    @pytest.mark.django_db(transaction=True)
    def test_a_session_is_locked_only_inside_a_transaction(self, user, session):
        # The session's locked read is compiled once, so the ORM's own check that
        # select_for_update runs in a transaction is made on every call instead.
        from training.services.sessions import _owned_session

        with pytest.raises(TransactionManagementError):
            _owned_session(user, session.pk, lock=True)
        with transaction.atomic():
            assert _owned_session(user, session.pk, lock=True).pk == session.pk

    @pytest.mark.parametrize("message", ["", "   ", "x" * 51])
    def test_an_empty_or_overlong_reply_is_refused_before_anything_is_read(
        self, user, session, message, settings, django_assert_max_num_queries
    ):
        settings.TRAINING_MAX_MESSAGE_CHARS = 50

        with django_assert_max_num_queries(3) as captured, pytest.raises(InvalidInput) as raised:
            services.session_respond(user=user, session_id=session.pk, message=message)

        assert "message" in raised.value.fields
        # The transaction's savepoint and its rollback, not a single read.
        assert not any("SELECT" in q["sql"].upper() for q in captured.captured_queries)
        assert messages_of(session) == [(0, "prospect")]

    def test_a_spoken_reply_keeps_its_recording_and_length(self, user, session):
        result = services.session_respond(
            user=user,
            session_id=session.pk,
            message="What matters most to you?",
            input_audio="training/1/reply.wav",
            audio_seconds=2.5,
        )

        trainee = SessionMessage.objects.get(pk=result.trainee_message.pk)
        assert (trainee.input_audio, trainee.audio_seconds) == ("training/1/reply.wav", 2.5)

    def test_the_query_count_of_a_turn_does_not_grow_with_the_conversation(
        self, user, session, django_assert_num_queries
    ):
        # the session with its champion; the last prospect line; the champion's patterns (the
        # judge works outside the transaction); savepoint; the session again, locked; both
        # messages in one insert; the session update; release.
        with django_assert_num_queries(8):
            services.session_respond(user=user, session_id=session.pk, message="What matters most to you?")
        services.session_respond(user=user, session_id=session.pk, message=CHAMPION_ANSWER)
        services.session_respond(user=user, session_id=session.pk, message="And how does your team work today?")

        with django_assert_num_queries(8):
            result = services.session_respond(user=user, session_id=session.pk, message="What would success be?")
        assert result.session.turn_count == 9


class TestSessionRespondFromInput:
    def test_a_typed_reply_is_scored_and_answered_without_speech(self, user, session, settings):
        result = services.session_respond_from_input(user=user, session_id=session.pk, message=" What matters? ")

        assert result.trainee_message.content == "What matters?"
        assert (result.prospect_message.speech_audio, result.trainee_message.reference_audio) == ("", "")
        assert len(messages_of(session)) == 3

    def test_a_typed_reply_is_validated_first(self, user, session):
        with pytest.raises(InvalidInput):
            services.session_respond_from_input(user=user, session_id=session.pk, message=None)
        assert messages_of(session) == [(0, "prospect")]

    def test_audio_for_the_session_of_another_user_is_not_found_and_never_read(self, other_user, session):
        with pytest.raises(NotFound):
            services.session_respond_from_input(
                user=other_user, session_id=session.pk, message=None, audio=UnreadableAudio()
            )

    def test_audio_for_a_decided_or_ended_session_is_a_conflict_and_never_read(self, user, session):
        TrainingSession.objects.filter(pk=session.pk).update(outcome="lost")

        with pytest.raises(Conflict) as raised:
            services.session_respond_from_input(user=user, session_id=session.pk, message=None, audio=UnreadableAudio())

        assert "lost" in raised.value.message


class UnreadableAudio:
    """An upload that fails the test if anything reads it."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the audio was used ({name}) before the session was checked")


class TestSessionEnd:
    @pytest.fixture
    def played(self, user) -> TrainingSession:
        """A session with two replies of known scores, on a champion who asks a question in one
        of their two turns, with 10 words per turn."""
        champion = ReadyChampionFactory(
            owner=user,
            transcript={
                "segments": [
                    {"id": index, "start": index * 4.0, "end": index * 4.0 + 3.5, "speaker": speaker, "text": text}
                    for index, (speaker, text) in enumerate(
                        [
                            ("champion", "How many agents answer your tickets today, and how fast?"),
                            ("other", "Twelve agents, and slowly."),
                            ("champion", "Most teams cut their first response time by sixty percent."),
                        ]
                    )
                ]
            },
            call_metrics={"words_per_minute": 150.0},
        )
        session = TrainingSessionFactory(user=user, champion=champion, stage=1, turn_count=5)
        SessionMessageFactory(session=session, turn_index=0)
        TraineeMessageFactory(
            session=session,
            turn_index=1,
            content="What does a slow reply cost you?",
            score=40,
            criteria={"technique": 40, "acknowledgment": 80, "value_next_step": 30, "discovery": 90, "clarity": 60},
        )
        SessionMessageFactory(session=session, turn_index=2)
        TraineeMessageFactory(
            session=session,
            turn_index=3,
            content="I understand. We can start with a small pilot next week.",
            score=80,
            audio_seconds=6.0,
            criteria={"technique": 80, "acknowledgment": 90, "value_next_step": 50, "discovery": 70, "clarity": 64},
        )
        SessionMessageFactory(session=session, turn_index=4)
        return session

    def test_completes_the_session_with_its_figures(self, user, played):
        ended = services.session_end(user=user, session_id=played.pk)

        stored = TrainingSession.objects.get(pk=played.pk)
        assert ended.pk == stored.pk
        assert stored.status == "completed" and stored.ended_at is not None
        # Later replies weigh more: (40 * 1.0 + 80 * 1.5) / 2.5.
        assert stored.overall_score == 64.0
        assert stored.comparison_to_champion["criteria"] == {
            "technique": 60.0,
            "acknowledgment": 85.0,
            "value_next_step": 40.0,
            "discovery": 80.0,
            "clarity": 62.0,
        }
        assert stored.strengths == [
            services.CRITERION_STRENGTH["acknowledgment"],
            services.CRITERION_STRENGTH["discovery"],
        ]
        assert stored.improvements == [services.CRITERION_IMPROVEMENT["value_next_step"]]
        assert stored.summary == "2 replies, overall 64/100; 1 of 2 objections handled; outcome: undecided."

    @pytest.mark.parametrize(
        ("content", "advised"),
        [
            # Short and asking, as the champion does (10 words and 0.5 questions a turn): no advice
            # to ask more or to be shorter, whatever the criteria averaged.
            ("Why now? What changed?", {"technique", "acknowledgment", "value_next_step"}),
            # Longer than the champion and asking nothing: both pieces of advice stand.
            (
                "We have a lot of features that many of our customers like a great deal, and our team is happy "
                "to walk you through every one of them whenever you like.",
                {"technique", "discovery", "clarity"},
            ),
        ],
    )
    def test_the_advice_does_not_contradict_the_comparison_beside_it(self, user, played, content, advised):
        played.messages.filter(role="trainee").update(
            content=content,
            score=10,
            criteria={"technique": 10, "acknowledgment": 30, "value_next_step": 20, "discovery": 0, "clarity": 5},
        )
        services.session_end(user=user, session_id=played.pk)

        stored = TrainingSession.objects.get(pk=played.pk)
        assert stored.improvements == [
            services.CRITERION_IMPROVEMENT[name]
            for name in ("discovery", "clarity", "technique", "value_next_step", "acknowledgment")
            if name in advised
        ]

    def test_compares_the_rep_with_the_champions_call(self, user, played):
        services.session_end(user=user, session_id=played.pk)

        comparison = TrainingSession.objects.get(pk=played.pk).comparison_to_champion
        assert comparison["questions_per_reply"] == {"you": 0.5, "champion": 0.5}
        assert comparison["words_per_reply"] == {"you": 9.0, "champion": 10.0}
        # Only the spoken reply has a pace: 11 words in 6 seconds.
        assert comparison["words_per_minute"] == {"you": 110.0, "champion": 150.0}

    def test_publishes_training_completed_after_commit(
        self, user, played, dispatched, django_capture_on_commit_callbacks
    ):
        TrainingSession.objects.filter(pk=played.pk).update(outcome="won")
        with django_capture_on_commit_callbacks() as callbacks:
            services.session_end(user=user, session_id=played.pk)
        assert dispatched == []
        for callback in callbacks:
            callback()

        (event,) = dispatched
        assert event.type == events.TRAINING_COMPLETED
        assert event.data == {
            "session_id": played.pk,
            "champion_id": played.champion_id,
            "champion_name": played.champion.name,
            "scenario_id": None,
            "overall_score": 64.0,
            "outcome": "won",
        }
        assert (event.user_id, event.resource_type, event.resource_id) == (user.pk, "training_session", str(played.pk))
        assert TrainingSession.objects.get(pk=played.pk).summary.endswith("outcome: won.")

    def test_the_champions_call_is_read_once_for_every_session_ended_on_it(self, user, played):
        first = services.session_end(user=user, session_id=played.pk)
        again = TrainingSessionFactory(user=user, champion=played.champion, stage=1, turn_count=3)
        TraineeMessageFactory(session=again, turn_index=1, content="What matters most to you?", score=50)
        with CaptureQueriesContext(connection) as captured:
            second = services.session_end(user=user, session_id=again.pk)
        assert not any("champions_championtranscript" in query["sql"] for query in captured.captured_queries)
        champion_style = [ended.comparison_to_champion["questions_per_reply"]["champion"] for ended in (first, second)]
        assert champion_style == [0.5, 0.5]

    def test_a_session_without_replies_ends_with_a_zero_and_a_hint(self, user, session):
        services.session_end(user=user, session_id=session.pk)

        stored = TrainingSession.objects.get(pk=session.pk)
        assert (stored.overall_score, stored.strengths) == (0.0, [])
        assert stored.improvements == ["Reply to the prospect at least once to get a score."]
        assert stored.summary == "0 replies, overall 0/100; 0 of 1 objections handled; outcome: undecided."

    @pytest.mark.parametrize("status", ["completed", "abandoned"])
    def test_ending_twice_is_a_conflict_and_keeps_the_first_figures(self, user, played, status):
        TrainingSession.objects.filter(pk=played.pk).update(status=status, summary="first")

        with pytest.raises(Conflict):
            services.session_end(user=user, session_id=played.pk)

        assert TrainingSession.objects.get(pk=played.pk).summary == "first"

    def test_the_session_of_another_user_is_not_found_and_stays_active(self, other_user, played):
        with pytest.raises(NotFound):
            services.session_end(user=other_user, session_id=played.pk)
        assert TrainingSession.objects.get(pk=played.pk).status == "active"


class TestSessionsAbandonIdle:
    def test_active_sessions_idle_past_the_limit_are_abandoned_and_the_others_kept(self, user, settings):
        settings.TRAINING_IDLE_MINUTES = 30
        now = timezone.now()
        idle = TrainingSessionFactory(user=user, last_activity_at=now - timedelta(minutes=31))
        fresh = TrainingSessionFactory(user=user, last_activity_at=now - timedelta(minutes=29))
        done = TrainingSessionFactory(user=user, status="completed", last_activity_at=now - timedelta(days=2))

        assert services.sessions_abandon_idle() == 1

        stored = {s.pk: s for s in TrainingSession.objects.filter(user=user)}
        assert stored[idle.pk].status == "abandoned" and stored[idle.pk].ended_at is not None
        assert (stored[fresh.pk].status, stored[fresh.pk].ended_at) == ("active", None)
        assert (stored[done.pk].status, stored[done.pk].ended_at) == ("completed", None)

    def test_the_clock_is_the_callers(self, user, settings):
        settings.TRAINING_IDLE_MINUTES = 30
        session = TrainingSessionFactory(user=user, last_activity_at=timezone.now())

        assert services.sessions_abandon_idle(now=timezone.now() + timedelta(minutes=20)) == 0
        assert services.sessions_abandon_idle(now=timezone.now() + timedelta(minutes=31)) == 1
        assert TrainingSession.objects.get(pk=session.pk).status == "abandoned"


class TestValidateReply:
    def test_returns_the_reply_without_surrounding_space(self):
        assert services.validate_reply("  Fair point. What would it cost to wait?\n") == (
            "Fair point. What would it cost to wait?"
        )

    @pytest.mark.parametrize("message", ["", "   \n\t", None])
    def test_an_empty_reply_is_invalid(self, message):
        with pytest.raises(InvalidInput) as raised:
            services.validate_reply(message)
        assert raised.value.fields == {"message": ["The reply is empty."]}

    def test_the_limit_is_the_settings_and_counts_the_stripped_reply(self, settings):
        settings.TRAINING_MAX_MESSAGE_CHARS = 10
        assert services.validate_reply(" " + "x" * 10 + " ") == "x" * 10

        with pytest.raises(InvalidInput) as raised:
            services.validate_reply("x" * 11)

        assert raised.value.message == "The reply is 11 characters long; the limit is 10."
        assert raised.value.fields == {"message": ["At most 10 characters."]}
