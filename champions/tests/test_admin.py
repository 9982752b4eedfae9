"""The champions admin: the list with its pattern counts, the read-only analysis results, the
"re-run the analysis" action and deletion, both through the champions services."""

from __future__ import annotations

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from adminpanel.audit import action_label
from adminpanel.tests.conftest import staff_client
from adminpanel.tests.test_admin import ACTION, assert_changelist_queries_do_not_grow, changelist
from champions.models import Champion
from champions.tests.factories import ChampionFactory, PatternFactory, ReadyChampionFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    """A superuser's client on the staff admin (the AdminSite and its staff are adminpanel's)."""
    client, _ = staff_client(None, superuser=True)
    return client


class TestChampionPages:
    def test_the_list_counts_patterns_and_finds_champions_by_owner(self, admin_client):
        champion = ReadyChampionFactory(owner=UserFactory(email="maya@flowdesk.test"), name="Maya's call")
        PatternFactory.create_batch(3, champion=champion)
        ReadyChampionFactory(name="Someone else's call")

        response = admin_client.get(changelist("champions.champion"), {"q": "flowdesk"})

        assert response.status_code == 200
        (row,) = response.context["cl"].result_list
        assert (row.pk, row.pattern_total) == (champion.pk, 3)

    def test_the_detail_shows_the_patterns_and_scenarios_read_only(self, admin_client):
        champion = ReadyChampionFactory()
        PatternFactory(champion=champion, text="What does a slow reply cost you today?")
        ScenarioFactory(champion=champion, title="The sceptical head of support")
        url = reverse("admin:champions_champion_change", args=[champion.pk])

        page = admin_client.get(url)
        edit = admin_client.post(url, {"name": "Renamed"})

        assert page.status_code == 200
        html = page.content.decode()
        assert "What does a slow reply cost you today?" in html and "The sceptical head of support" in html
        assert edit.status_code == 403
        assert Champion.objects.get(pk=champion.pk).name == champion.name

    def test_champions_are_not_added_in_the_admin(self, admin_client):
        assert admin_client.get(reverse("admin:champions_champion_add")).status_code == 403


class TestRerunAnalysis:
    def test_queues_idle_champions_after_commit_skips_busy_ones_and_audits_the_request(
        self, admin_client, django_capture_on_commit_callbacks
    ):
        ready = ReadyChampionFactory()
        busy = ChampionFactory(status=Champion.Status.PROCESSING)

        with django_capture_on_commit_callbacks() as callbacks:
            response = admin_client.post(
                changelist("champions.champion"), {"action": "rerun_analysis", ACTION: [ready.pk, busy.pk]}, follow=True
            )

        assert b"1 analysis(es) queued; 1 already running." in response.content
        assert Champion.objects.get(pk=ready.pk).status == Champion.Status.QUEUED
        assert Champion.objects.get(pk=busy.pk).status == Champion.Status.PROCESSING
        (entry,) = LogEntry.objects.get_for_object(ready).filter(additional_data__action="CHAMPION_REANALYZE")
        assert action_label(entry) == "CHAMPION_REANALYZE"
        assert entry.changes["status"] == ["ready", "queued"]
        assert not LogEntry.objects.get_for_object(busy).filter(additional_data__action="CHAMPION_REANALYZE").exists()

        for callback in callbacks:  # the commit: the worker (eager here) takes the analysis
            callback()
        assert Champion.objects.get(pk=ready.pk).status != Champion.Status.QUEUED


class TestDeletion:
    def test_deleting_a_champion_in_the_admin_goes_through_the_service(
        self, admin_client, settings, django_capture_on_commit_callbacks
    ):
        champion = ReadyChampionFactory()
        recording = Path(settings.MEDIA_ROOT) / champion.recording
        recording.parent.mkdir(parents=True, exist_ok=True)
        recording.write_bytes(b"a recording")

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                changelist("champions.champion"), {"action": "delete_selected", ACTION: [champion.pk], "post": "yes"}
            )

        assert response.status_code == 302
        assert not Champion.objects.filter(pk=champion.pk).exists() and not recording.exists()

    def test_deleting_one_champion_from_its_page_removes_its_files_after_commit(
        self, admin_client, django_capture_on_commit_callbacks
    ):
        champion = ReadyChampionFactory()
        recording = stored_recording(champion)

        with django_capture_on_commit_callbacks() as callbacks:
            response = admin_client.post(
                reverse("admin:champions_champion_delete", args=[champion.pk]), {"post": "yes"}
            )
        assert recording.exists()  # the file waits for the commit
        for callback in callbacks:
            callback()

        assert response.status_code == 302
        assert not Champion.objects.filter(pk=champion.pk).exists() and not recording.exists()


def test_changelist_query_count_does_not_grow_from_10_to_1000_rows(admin_client):
    def add_rows(count: int) -> None:
        owner = UserFactory()
        _champions(owner, count)

    assert_changelist_queries_do_not_grow(admin_client, changelist("champions.champion"), add_rows)


def stored_recording(champion: Champion) -> Path:
    path = Path(settings.MEDIA_ROOT) / champion.recording
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"a recording")
    return path


def _champions(owner, count: int) -> None:
    from champions.models import Champion

    Champion.objects.bulk_create([Champion(owner=owner, name=f"c{i}", recording="r.mp4") for i in range(count)])
