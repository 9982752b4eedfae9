"""The training reads: always scoped to the user, with a query count that does not grow with
the data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from champions.tests.factories import ReadyChampionFactory
from core.errors import NotFound
from training import selectors
from training.models import SessionMessage, TrainingSession
from training.tests.factories import SessionMessageFactory, TraineeMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


class TestSessionList:
    def test_lists_only_the_users_sessions_newest_first(self, user, other_user):
        now = timezone.now()
        older = TrainingSessionFactory(user=user, started_at=now - timedelta(days=1))
        newer = TrainingSessionFactory(user=user, started_at=now)
        TrainingSessionFactory(user=other_user)

        assert [s.pk for s in selectors.session_list(user=user)] == [newer.pk, older.pk]

    def test_filters_by_champion_and_status(self, user):
        champion = ReadyChampionFactory(owner=user)
        active = TrainingSessionFactory(user=user, champion=champion)
        completed = TrainingSessionFactory(user=user, champion=champion, status=TrainingSession.Status.COMPLETED)
        elsewhere = TrainingSessionFactory(user=user)

        by_champion = selectors.session_list(user=user, champion_id=champion.pk)
        by_status = selectors.session_list(user=user, status="completed")
        both = selectors.session_list(user=user, champion_id=elsewhere.champion_id, status="completed")

        assert {s.pk for s in by_champion} == {active.pk, completed.pk}
        assert [s.pk for s in by_status] == [completed.pk]
        assert list(both) == []

    def test_the_champion_of_a_session_of_another_user_lists_nothing(self, user, other_user):
        theirs = TrainingSessionFactory(user=other_user)

        assert list(selectors.session_list(user=user, champion_id=theirs.champion_id)) == []

    @pytest.mark.parametrize("count", [2, 20])
    def test_one_query_with_the_champions_name_however_many_sessions(self, user, count, django_assert_num_queries):
        champion = ReadyChampionFactory(owner=user, name="Maya's call")
        TrainingSessionFactory.create_batch(count, user=user, champion=champion)

        with django_assert_num_queries(1):
            rows = [(s.champion.name, s.status, s.objections_total) for s in selectors.session_list(user=user)]

        assert len(rows) == count and rows[0][0] == "Maya's call"


class TestSessionDetail:
    def test_only_the_users_sessions_are_found(self, user, other_user):
        own, theirs = TrainingSessionFactory(user=user), TrainingSessionFactory(user=other_user)

        found = selectors.session_detail_queryset(user=user)

        assert found.filter(pk=own.pk).exists() and not found.filter(pk=theirs.pk).exists()

    @pytest.mark.parametrize("messages", [1, 12])
    def test_the_session_its_champion_and_its_messages_in_order_in_two_queries(
        self, user, messages, django_assert_num_queries
    ):
        session = TrainingSessionFactory(user=user)
        for turn in reversed(range(messages)):
            SessionMessageFactory(session=session, turn_index=turn)

        with django_assert_num_queries(2):
            found = selectors.session_detail_queryset(user=user).get(pk=session.pk)
            turns = [m.turn_index for m in found.messages.all()]
            name = found.champion.name

        assert turns == list(range(messages)) and name == session.champion.name


def test_the_opening_message_is_the_prospects_first_line(user):
    session = TrainingSessionFactory(user=user)
    SessionMessageFactory(session=session, turn_index=1, content="Later")
    opening = SessionMessageFactory(session=session, turn_index=0, content="Hello. It is too expensive for us.")

    assert selectors.session_opening_message(session=session).pk == opening.pk


class TestSessionAudioPath:
    @pytest.fixture
    def spoken(self, user) -> SessionMessage:
        """A trainee reply with the champion's reference phrase as speech, stored."""
        message = TraineeMessageFactory(session=TrainingSessionFactory(user=user), turn_index=1)
        for field in ("speech_audio", "reference_audio"):
            relative = f"training/{message.session_id}/{field}.wav"
            path = Path(settings.MEDIA_ROOT) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"RIFF")
            setattr(message, field, relative)
        message.save()
        return message

    @pytest.mark.parametrize(("kind", "field"), [("speech", "speech_audio"), ("reference", "reference_audio")])
    def test_the_file_of_the_users_own_message(self, user, spoken, kind, field):
        path = selectors.session_audio_path(user=user, session_id=spoken.session_id, message_id=spoken.pk, kind=kind)

        assert path == Path(settings.MEDIA_ROOT) / getattr(spoken, field) and path.is_file()

    def test_the_message_of_another_user_or_another_session_is_not_found(self, user, other_user, spoken):
        with pytest.raises(NotFound):
            selectors.session_audio_path(
                user=other_user, session_id=spoken.session_id, message_id=spoken.pk, kind="speech"
            )
        with pytest.raises(NotFound):
            selectors.session_audio_path(
                user=user, session_id=TrainingSessionFactory(user=user).pk, message_id=spoken.pk, kind="speech"
            )

    def test_a_message_without_audio_or_whose_file_is_gone_is_not_found(self, user, spoken):
        (Path(settings.MEDIA_ROOT) / spoken.reference_audio).unlink()
        SessionMessage.objects.filter(pk=spoken.pk).update(speech_audio="")

        for kind in ("speech", "reference"):
            with pytest.raises(NotFound):
                selectors.session_audio_path(user=user, session_id=spoken.session_id, message_id=spoken.pk, kind=kind)


class TestProgressFor:
    @pytest.fixture
    def history(self, user, other_user):
        """Two completed sessions on one champion, one on another, an active one, and someone
        else's; criteria per reply are known."""
        now = timezone.now()
        first_champion = ReadyChampionFactory(owner=user, name="First")
        second_champion = ReadyChampionFactory(owner=user, name="Second")

        def session(champion, started_at, replies, status="completed", owner=user):
            played = TrainingSessionFactory(
                user=owner, champion=champion, status=status, started_at=started_at, overall_score=50.0
            )
            for turn, criteria in enumerate(replies, start=1):
                TraineeMessageFactory(session=played, turn_index=turn, criteria=criteria)
            return played

        early = session(
            first_champion,
            now - timedelta(days=2),
            [{"technique": 40, "clarity": 70}, {"technique": 60, "clarity": 90}],
        )
        late = session(first_champion, now - timedelta(days=1), [{"technique": 75, "clarity": 95}])
        other = session(second_champion, now - timedelta(hours=1), [{"technique": 20, "clarity": 30}])
        session(first_champion, now, [{"technique": 100, "clarity": 100}], status="active")
        session(ReadyChampionFactory(owner=other_user), now, [{"technique": 1, "clarity": 1}], owner=other_user)
        return first_champion, second_champion, early, late, other

    def test_per_champion_the_criteria_of_each_completed_session_in_time_order(self, user, history):
        first_champion, second_champion, early, late, other = history

        progress = selectors.progress_for(user=user)

        assert [p["champion_id"] for p in progress] == [first_champion.pk, second_champion.pk]
        first = progress[0]
        assert first["champion_name"] == "First"
        assert [(s["session_id"], s["criteria"]) for s in first["sessions"]] == [
            (early.pk, {"technique": 50.0, "clarity": 80.0}),
            (late.pk, {"technique": 75.0, "clarity": 95.0}),
        ]
        assert [(point["session_id"], point["score"]) for point in first["criteria"]["technique"]] == [
            (early.pk, 50.0),
            (late.pk, 75.0),
        ]
        assert first["sessions"][0]["overall_score"] == 50.0

    def test_the_gap_to_the_champion_is_that_of_the_latest_session(self, user, history):
        progress = selectors.progress_for(user=user)

        assert progress[0]["gap_to_champion"] == {"technique": 25.0, "clarity": 5.0}
        assert progress[1]["gap_to_champion"] == {"technique": 80.0, "clarity": 70.0}

    def test_a_user_without_completed_sessions_has_no_progress(self, other_user):
        active = TrainingSessionFactory(user=other_user)  # replied to, never ended
        TraineeMessageFactory(session=active, turn_index=1)

        assert selectors.progress_for(user=other_user) == []

    def test_one_query_however_many_sessions(self, user, history, django_assert_num_queries):
        with django_assert_num_queries(1):
            selectors.progress_for(user=user)


def test_audio_files_of_champion_lists_every_stored_file_of_its_sessions(user):
    session = TrainingSessionFactory(user=user)
    TraineeMessageFactory(session=session, turn_index=1, input_audio="training/1/reply.wav", reference_audio="")
    SessionMessageFactory(session=session, turn_index=2, speech_audio="training/1/speech.wav")
    TraineeMessageFactory(session=session, turn_index=3, reference_audio="training/1/reference.wav")
    elsewhere = SessionMessageFactory(speech_audio="training/2/speech.wav")

    files = selectors.audio_files_of_champion(champion_id=session.champion_id)

    assert sorted(files) == ["training/1/reference.wav", "training/1/reply.wav", "training/1/speech.wav"]
    assert elsewhere.speech_audio not in files
    assert SessionMessage.objects.filter(session__champion_id=session.champion_id).count() == 3
