"""The training sessions admin: read-only, the messages with their evaluations inline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from adminpanel.tests.test_admin import assert_changelist_queries_do_not_grow, changelist
from champions.tests.factories import ReadyChampionFactory
from training.models import TrainingSession
from training.tests.factories import SessionMessageFactory, TraineeMessageFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_sessions_and_finds_them_by_the_reps_email(admin_client):
    maya = TrainingSessionFactory(user=UserFactory(email="maya@flowdesk.test"), status="completed")
    TrainingSessionFactory(user=UserFactory(email="sam@example.com"))
    url = changelist("training.trainingsession")

    found = admin_client.get(url, {"q": "flowdesk"})
    completed = admin_client.get(url, {"status__exact": "completed"})

    assert [s.pk for s in found.context["cl"].result_list] == [maya.pk]
    assert [s.pk for s in completed.context["cl"].result_list] == [maya.pk]
    assert "maya@flowdesk.test" in found.content.decode()


def test_the_detail_shows_the_conversation_with_its_evaluations(admin_client):
    session = TrainingSessionFactory()
    SessionMessageFactory(session=session, turn_index=0, content="It is too expensive for us.")
    TraineeMessageFactory(
        session=session,
        turn_index=1,
        content="What would slow replies cost you?",
        score=83,
        feedback=["Good open question to keep the buyer talking."],
    )

    page = admin_client.get(reverse("admin:training_trainingsession_change", args=[session.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "It is too expensive for us." in html and "What would slow replies cost you?" in html
    assert "83" in html and "Good open question to keep the buyer talking." in html


def test_sessions_cannot_be_added_changed_or_deleted(admin_client):
    session = TrainingSessionFactory(summary="As played")

    added = admin_client.get(reverse("admin:training_trainingsession_add"))
    changed = admin_client.post(
        reverse("admin:training_trainingsession_change", args=[session.pk]), {"summary": "Rewritten"}
    )
    deleted = admin_client.post(reverse("admin:training_trainingsession_delete", args=[session.pk]), {"post": "yes"})

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert TrainingSession.objects.get(pk=session.pk).summary == "As played"


def test_support_reads_the_sessions(support):
    client, _ = support
    session = TrainingSessionFactory()

    assert client.get(changelist("training.trainingsession")).status_code == 200
    assert client.get(reverse("admin:training_trainingsession_change", args=[session.pk])).status_code == 200


def test_changelist_query_count_does_not_grow_from_10_to_1000_rows(admin_client):
    def add_rows(count: int) -> None:
        owner = UserFactory()
        _sessions(owner, count)

    assert_changelist_queries_do_not_grow(admin_client, changelist("training.trainingsession"), add_rows)


def _sessions(owner, count: int) -> None:
    from training.models import TrainingSession

    champion = ReadyChampionFactory(owner=owner)
    TrainingSession.objects.bulk_create([TrainingSession(user=owner, champion=champion) for _ in range(count)])
