"""The disputes admin: the list with its filters, the review workflow (a confirmation page on
GET, the decision on POST through the service, audited), administrators decide and support
reads; the gold set is read-only."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from adminpanel.permissions import ADMINISTRATORS
from adminpanel.tests.conftest import staff_client
from adminpanel.tests.test_admin import assert_audited, assert_changelist_queries_do_not_grow, changelist
from training.models import EvaluationDispute, GoldEvaluation
from training.tests.factories import EvaluationDisputeFactory, SessionMessageFactory, TraineeMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute():
    message = TraineeMessageFactory(turn_index=1, score=38, judge="offline", judge_version="2")
    SessionMessageFactory(session=message.session, turn_index=0, content="We are busy this quarter.")
    return EvaluationDisputeFactory(message=message, reason="I offered a one-hour pilot, as the champion did.")


@pytest.fixture
def administrator(db):
    return staff_client(ADMINISTRATORS)


def accept_url(dispute) -> str:
    return reverse("admin:training_evaluationdispute_accept", args=[dispute.pk])


def reject_url(dispute) -> str:
    return reverse("admin:training_evaluationdispute_reject", args=[dispute.pk])


class TestList:
    def test_lists_disputes_filtered_by_status_judge_and_version(self, admin_client, dispute):
        claude = EvaluationDisputeFactory(message=TraineeMessageFactory(judge="anthropic", judge_version="1:claude"))
        url = changelist("training.evaluationdispute")

        def listed(**query) -> list[int]:
            response = admin_client.get(url, query)
            assert response.status_code == 200
            return [d.pk for d in response.context["cl"].result_list]

        assert sorted(listed()) == sorted([dispute.pk, claude.pk])
        assert listed(judge="anthropic") == [claude.pk]
        assert listed(judge_version="2") == [dispute.pk]
        assert listed(status__exact="open", judge="offline") == [dispute.pk]
        assert listed(status__exact="accepted") == []
        html = admin_client.get(url).content.decode()
        assert "I offered a one-hour pilot" in html and "1:claude" in html

    def test_the_detail_shows_the_moment_the_reply_and_the_review_links(self, admin_client, dispute):
        page = admin_client.get(reverse("admin:training_evaluationdispute_change", args=[dispute.pk]))
        html = page.content.decode()
        assert page.status_code == 200
        assert "We are busy this quarter." in html and dispute.message.content in html
        assert accept_url(dispute) in html and reject_url(dispute) in html

    def test_changelist_query_count_does_not_grow_from_10_to_1000_rows(self, admin_client):
        def add_rows(count: int) -> None:
            message = TraineeMessageFactory()
            EvaluationDispute.objects.bulk_create(
                [EvaluationDispute(message=message, user=message.session.user, reason="r", status="rejected")] * count
            )

        assert_changelist_queries_do_not_grow(admin_client, changelist("training.evaluationdispute"), add_rows)


class TestReview:
    def test_accept_asks_for_confirmation_then_accepts_into_the_gold_set(self, admin_client, admin_user, dispute):
        confirmation = admin_client.get(accept_url(dispute))
        assert confirmation.status_code == 200 and "corrected_score" in confirmation.content.decode()
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "open"

        done = admin_client.post(accept_url(dispute), {"corrected_score": "76", "note": "Fair point."})

        assert done.status_code == 302 and done.url == changelist("training.evaluationdispute")
        dispute.refresh_from_db()
        assert (dispute.status, dispute.corrected_score, dispute.resolved_by_id) == ("accepted", 76, admin_user.pk)
        gold = GoldEvaluation.objects.get()
        assert (gold.prospect_line, gold.judge_score, gold.corrected_score) == ("We are busy this quarter.", 38, 76)
        assert_audited(LogEntry.objects.get_for_object(dispute).get(), action="DISPUTE_ACCEPT", actor=admin_user)

    def test_reject_with_a_note_is_audited(self, admin_client, admin_user, dispute):
        assert admin_client.get(reject_url(dispute)).status_code == 200

        done = admin_client.post(reject_url(dispute), {"note": "The pilot was offered after the push-back."})

        assert done.status_code == 302
        dispute.refresh_from_db()
        assert dispute.status == "rejected" and dispute.resolution_note.startswith("The pilot")
        assert not GoldEvaluation.objects.exists()
        assert_audited(LogEntry.objects.get_for_object(dispute).get(), action="DISPUTE_REJECT", actor=admin_user)

    @pytest.mark.parametrize(
        "data", [{}, {"corrected_score": "101"}, {"corrected_score": "-1"}, {"corrected_score": "x"}]
    )
    def test_an_invalid_score_shows_the_form_again_and_changes_nothing(self, admin_client, dispute, data):
        response = admin_client.post(accept_url(dispute), data)
        assert response.status_code == 200 and response.context["form"].errors
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "open"
        assert not LogEntry.objects.get_for_object(dispute).exists()

    def test_a_reject_needs_a_note(self, admin_client, dispute):
        response = admin_client.post(reject_url(dispute), {"note": ""})
        assert response.status_code == 200 and "note" in response.context["form"].errors
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "open"

    def test_a_resolved_dispute_goes_back_to_its_page(self, admin_client, dispute):
        admin_client.post(reject_url(dispute), {"note": "Stands."})
        again = admin_client.post(accept_url(dispute), {"corrected_score": "90"})
        assert again.status_code == 302
        assert again.url == reverse("admin:training_evaluationdispute_change", args=[dispute.pk])
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "rejected"

    def test_an_unknown_dispute_is_404(self, admin_client):
        assert admin_client.get(reverse("admin:training_evaluationdispute_accept", args=[999_999])).status_code == 404


class TestPermissions:
    def test_support_reads_disputes_and_the_gold_set_but_cannot_decide(self, support, dispute):
        client, _ = support
        assert client.get(changelist("training.evaluationdispute")).status_code == 200
        detail = client.get(reverse("admin:training_evaluationdispute_change", args=[dispute.pk]))
        assert detail.status_code == 200 and accept_url(dispute) not in detail.content.decode()
        assert client.get(changelist("training.goldevaluation")).status_code == 200

        assert client.get(accept_url(dispute)).status_code == 403
        assert client.post(accept_url(dispute), {"corrected_score": "90"}).status_code == 403
        assert client.post(reject_url(dispute), {"note": "No."}).status_code == 403
        assert EvaluationDispute.objects.get(pk=dispute.pk).status == "open"

    def test_administrators_decide(self, administrator, dispute):
        client, staff = administrator
        assert client.post(reject_url(dispute), {"note": "Stands."}).status_code == 302
        assert EvaluationDispute.objects.get(pk=dispute.pk).resolved_by_id == staff.pk

    def test_disputes_and_gold_rows_cannot_be_added_changed_or_deleted_by_hand(self, admin_client, dispute):
        for model in ("evaluationdispute", "goldevaluation"):
            assert admin_client.get(reverse(f"admin:training_{model}_add")).status_code == 403
        deleted = admin_client.post(
            reverse("admin:training_evaluationdispute_delete", args=[dispute.pk]), {"post": "yes"}
        )
        assert deleted.status_code == 403 and EvaluationDispute.objects.filter(pk=dispute.pk).exists()


def test_the_gold_set_lists_by_judge_and_version(admin_client, admin_user, dispute):
    admin_client.post(accept_url(dispute), {"corrected_score": "76"})
    url = changelist("training.goldevaluation")
    listed = admin_client.get(url, {"judge": "offline", "judge_version": "2"})
    assert listed.status_code == 200 and len(listed.context["cl"].result_list) == 1
    assert len(admin_client.get(url, {"judge": "anthropic"}).context["cl"].result_list) == 0
    gold = GoldEvaluation.objects.get()
    assert admin_client.get(reverse("admin:training_goldevaluation_change", args=[gold.pk])).status_code == 200
