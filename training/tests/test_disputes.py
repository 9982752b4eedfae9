"""Disputed evaluations: a rep disputes the score of one of their own scored replies (one open
dispute per reply); staff accept it with a corrected score, which puts the reply and its
moment in the gold set, or reject it with a note; both decisions are audited."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from adminpanel.audit import action_label
from agents.reasoning.prospect import pass_score
from core.errors import Conflict, InvalidInput, NotFound
from training import services
from training.models import EvaluationDispute, GoldEvaluation
from training.services.scenarios import scenario_spec
from training.tests.factories import (
    EvaluationDisputeFactory,
    SessionMessageFactory,
    TraineeMessageFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

REASON = "I named their cost of slow replies and proposed a pilot, as the champion did."


@pytest.fixture
def reply(user):
    """The rep's scored answer to the session's first objection, after the prospect raised it."""
    session = TrainingSessionFactory(user=user)
    SessionMessageFactory(session=session, turn_index=0, content="Hi. It is too expensive for us.")
    return TraineeMessageFactory(
        session=session,
        turn_index=1,
        stage=0,
        score=41,
        judge="offline",
        judge_version="2",
        champion_reference={
            "pattern_id": None,
            "text": "Let us look at the cost.",
            "start": 42.0,
            "end": 45.0,
            "category": "objection_response",
        },
    )


def open_dispute(user, message, reason: str = REASON) -> EvaluationDispute:
    return services.dispute_open(user=user, session_id=message.session_id, message_id=message.pk, reason=reason)


class TestDisputeOpen:
    def test_opens_a_dispute_of_the_users_own_scored_reply(self, user, reply):
        dispute = open_dispute(user, reply, reason=f"  {REASON}  ")

        assert (dispute.message_id, dispute.user_id, dispute.status) == (reply.pk, user.pk, "open")
        assert dispute.reason == REASON

    def test_a_reply_of_another_users_session_is_not_found(self, reply, other_user):
        with pytest.raises(NotFound):
            open_dispute(other_user, reply)
        assert not EvaluationDispute.objects.exists()

    def test_the_message_must_belong_to_the_session_named(self, user, reply):
        other_session = TrainingSessionFactory(user=user)
        with pytest.raises(NotFound):
            services.dispute_open(user=user, session_id=other_session.pk, message_id=reply.pk, reason=REASON)

    def test_a_prospect_line_or_an_unscored_reply_cannot_be_disputed(self, user, reply):
        prospect_line = reply.session.messages.get(turn_index=0)
        unscored = TraineeMessageFactory(session=reply.session, turn_index=2, score=None, criteria={})

        for message in (prospect_line, unscored):
            with pytest.raises(InvalidInput) as refused:
                open_dispute(user, message)
            assert "message_id" in refused.value.fields
        assert not EvaluationDispute.objects.exists()

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
    def test_the_reason_is_required_and_bounded(self, user, reply, reason):
        with pytest.raises(InvalidInput) as refused:
            open_dispute(user, reply, reason=reason)
        assert "reason" in refused.value.fields

    def test_a_second_dispute_while_one_is_open_is_a_conflict(self, user, reply):
        open_dispute(user, reply)
        with pytest.raises(Conflict):
            open_dispute(user, reply, reason="Again.")
        assert EvaluationDispute.objects.count() == 1

    def test_a_rejected_dispute_can_be_followed_by_a_new_one_an_accepted_cannot(self, user, reply, admin_user):
        first = open_dispute(user, reply)
        services.dispute_reject(dispute_id=first.pk, reviewer=admin_user, note="The reply named no figure.")
        second = open_dispute(user, reply, reason="It did: thirty percent fewer lost tickets.")
        services.dispute_accept(dispute_id=second.pk, reviewer=admin_user, corrected_score=72)

        with pytest.raises(Conflict):
            open_dispute(user, reply, reason="Once more.")

    def test_the_database_allows_one_open_dispute_per_message(self, reply):
        from django.db import IntegrityError, transaction

        EvaluationDisputeFactory(message=reply)
        with pytest.raises(IntegrityError), transaction.atomic():
            EvaluationDispute.objects.create(message=reply, user=reply.session.user, reason="Racing")


class TestDisputeAccept:
    def test_accepting_puts_the_reply_and_its_moment_in_the_gold_set(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)

        gold = services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=74, note="Fair.")

        dispute.refresh_from_db()
        assert (dispute.status, dispute.corrected_score, dispute.resolved_by_id) == ("accepted", 74, admin_user.pk)
        assert dispute.resolved_at is not None and dispute.resolution_note == "Fair."
        assert gold.dispute_id == dispute.pk
        assert (gold.prospect_line, gold.reply) == ("Hi. It is too expensive for us.", reply.content)
        assert (gold.stage, gold.objection, gold.difficulty) == ("objection", "It is too expensive for us.", "easy")
        # The champion's own answer to the objection on the table (the session's scenario).
        assert gold.champion_reference == "Let us look at the cost." and gold.reference_category == "objection_response"
        assert (gold.judge, gold.judge_version, gold.judge_score, gold.corrected_score) == ("offline", "2", 41, 74)
        # The scenario's pass mark at the time, and whose playbook it is re-scored against.
        assert gold.pass_mark == pass_score(scenario_spec(reply.session.scenario_snapshot))
        assert gold.champion_id == reply.session.champion_id

    def test_the_stored_evaluation_keeps_the_judges_score(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)
        services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=74)
        reply.refresh_from_db()
        assert reply.score == 41

    def test_a_reply_after_the_last_objection_is_a_closing_moment(self, user, admin_user):
        session = TrainingSessionFactory(user=user)
        SessionMessageFactory(session=session, turn_index=4, stage=2, content="So what now?")
        close = TraineeMessageFactory(session=session, turn_index=5, stage=2, champion_reference=None)
        dispute = open_dispute(user, close)

        gold = services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=80)

        assert (gold.stage, gold.objection, gold.champion_reference, gold.prospect_line) == (
            "closing",
            "",
            "",
            "So what now?",
        )

    def test_is_audited_as_dispute_accept(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)
        gold = services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=74)

        entry = LogEntry.objects.get_for_object(dispute).get()
        assert action_label(entry) == "DISPUTE_ACCEPT"
        assert entry.changes_dict["score"] == ["41", "74"]
        assert entry.additional_data["gold_evaluation_id"] == gold.pk

    @pytest.mark.parametrize("score", [-1, 101, True, "70"])
    def test_the_corrected_score_is_0_to_100(self, user, reply, admin_user, score):
        dispute = open_dispute(user, reply)
        with pytest.raises(InvalidInput):
            services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=score)
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "open"
        assert not GoldEvaluation.objects.exists()

    def test_a_resolved_dispute_cannot_be_decided_again(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)
        services.dispute_reject(dispute_id=dispute.pk, reviewer=admin_user, note="No.")
        with pytest.raises(Conflict):
            services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=90)
        with pytest.raises(Conflict):
            services.dispute_reject(dispute_id=dispute.pk, reviewer=admin_user, note="No again.")
        assert not GoldEvaluation.objects.exists()

    def test_an_unknown_dispute_is_not_found(self, admin_user):
        with pytest.raises(NotFound):
            services.dispute_accept(dispute_id=999_999, reviewer=admin_user, corrected_score=50)

    def test_the_gold_set_keeps_its_rows_when_the_rep_is_deleted(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)
        gold = services.dispute_accept(dispute_id=dispute.pk, reviewer=admin_user, corrected_score=74)

        user.delete()

        gold.refresh_from_db()
        assert gold.dispute_id is None and gold.reply == reply.content


class TestDisputeReject:
    def test_rejecting_keeps_the_score_and_records_the_note(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)

        services.dispute_reject(dispute_id=dispute.pk, reviewer=admin_user, note="  The reply named no cost.  ")

        dispute.refresh_from_db()
        assert (dispute.status, dispute.resolution_note, dispute.corrected_score) == (
            "rejected",
            "The reply named no cost.",
            None,
        )
        assert not GoldEvaluation.objects.exists()
        entry = LogEntry.objects.get_for_object(dispute).get()
        assert action_label(entry) == "DISPUTE_REJECT" and entry.additional_data["note"] == "The reply named no cost."

    def test_the_note_is_required(self, user, reply, admin_user):
        dispute = open_dispute(user, reply)
        with pytest.raises(InvalidInput):
            services.dispute_reject(dispute_id=dispute.pk, reviewer=admin_user, note=" ")
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "open"
