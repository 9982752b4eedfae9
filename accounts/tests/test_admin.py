"""The users admin (accounts' UserAdmin, with the operations app's extensions on the same
page) and the subscription history: search, filters, the activate / deactivate / change plan
actions through the accounts services, staff edits and deletion, query counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Plan, SubscriptionEvent, User
from accounts.tests.factories import DEFAULT_PASSWORD, SubscriptionEventFactory, UserFactory
from adminpanel.models import ActivityLog
from adminpanel.tests.test_admin import ACTION, assert_audited, assert_changelist_queries_do_not_grow, changelist
from champions.models import Champion
from champions.tests.factories import ReadyChampionFactory

pytestmark = pytest.mark.django_db


class TestUsers:
    def test_changelist_search_and_filters(self, admin_client):
        UserFactory(email="maya@flowdesk.test", subscription_plan=Plan.PRO)
        idle = UserFactory(email="idle@example.com")
        User.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(days=40))
        url = changelist("accounts.user")
        assert "maya@flowdesk.test" in admin_client.get(url, {"q": "flowdesk"}).content.decode()
        pro = admin_client.get(url, {"subscription_plan__exact": "pro"}).content.decode()
        assert "maya@flowdesk.test" in pro and "idle@example.com" not in pro
        churn = admin_client.get(url, {"churn_risk": "yes"}).content.decode()
        assert "idle@example.com" in churn and "maya@flowdesk.test" not in churn

    @pytest.mark.parametrize("rows", [10, 1000])
    def test_changelist_query_count_is_pinned(self, admin_client, rows, django_assert_num_queries):
        User.objects.bulk_create([User(email=f"u{i}@example.com") for i in range(rows)])
        admin_client.get(changelist("accounts.user"))  # the first page of a session also stores it
        from django.db import connection

        # session, staff user, the count, one page of users; PostgreSQL first asks the planner
        # for its estimate, and counts exactly only small tables.
        with django_assert_num_queries(5 if connection.vendor == "postgresql" else 4):
            assert admin_client.get(changelist("accounts.user")).status_code == 200

    def test_deactivate_revokes_tokens_and_activate_restores(self, admin_client):
        from accounts.tokens import token_pair_for
        from conftest import authenticated_client

        user = UserFactory()
        api = authenticated_client(user)
        response = admin_client.post(changelist("accounts.user"), {"action": "deactivate", ACTION: [user.pk]})
        assert response.status_code == 302
        user.refresh_from_db()
        assert not user.is_active and api.get("/auth/me").status_code == 401
        admin_client.post(changelist("accounts.user"), {"action": "activate", ACTION: [user.pk]})
        user.refresh_from_db()
        assert user.is_active
        fresh = Client()
        fresh_token = token_pair_for(user).access_token
        assert fresh.get("/auth/me", HTTP_AUTHORIZATION=f"Bearer {fresh_token}").status_code == 200

    def test_an_email_edited_in_the_admin_is_stored_lower_case_and_stays_unique(self, admin_client):
        user = UserFactory(email="rep@example.com")
        UserFactory(email="taken@example.com")
        url = reverse("admin:accounts_user_change", args=[user.pk])
        form = {
            "full_name": "Rep",
            "role": "user",
            "is_active": "on",
            "admin_notes-TOTAL_FORMS": "0",
            "admin_notes-INITIAL_FORMS": "0",
        }

        taken = admin_client.post(url, {**form, "email": "Taken@Example.com"})
        assert taken.status_code == 200 and b"Another account uses this email address." in taken.content
        assert admin_client.post(url, {**form, "email": " New.Rep@Example.COM "}).status_code == 302

        user.refresh_from_db()
        assert user.email == "new.rep@example.com"
        assert (
            Client()
            .post(
                "/auth/login",
                {"email": "New.Rep@example.com", "password": DEFAULT_PASSWORD},
                content_type="application/json",
            )
            .status_code
            == 200
        )

    def test_administrators_cannot_demote_deactivate_or_delete_a_superuser(self, administrator):
        client, _ = administrator
        superuser = UserFactory(role="admin", is_staff=True, is_superuser=True)
        url = reverse("admin:accounts_user_change", args=[superuser.pk])
        form = {
            "email": superuser.email,
            "full_name": "",
            "role": "user",
            "is_active": "on",
            "admin_notes-TOTAL_FORMS": "0",
            "admin_notes-INITIAL_FORMS": "0",
        }

        assert client.post(url, form).status_code == 403
        client.post(changelist("accounts.user"), {"action": "deactivate", ACTION: [superuser.pk]})
        assert (
            client.post(reverse("admin:accounts_user_delete", args=[superuser.pk]), {"post": "yes"}).status_code == 403
        )

        superuser.refresh_from_db()
        assert superuser.is_superuser and superuser.is_staff and superuser.is_active

    def test_deleting_a_user_in_the_admin_removes_their_champions_files_too(
        self, admin_client, settings, django_capture_on_commit_callbacks
    ):
        user = UserFactory()
        champion = ReadyChampionFactory(owner=user)
        recording = Path(settings.MEDIA_ROOT) / champion.recording
        recording.parent.mkdir(parents=True, exist_ok=True)
        recording.write_bytes(b"a recording")

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})

        assert response.status_code == 302
        assert not User.objects.filter(pk=user.pk).exists()
        assert not Champion.objects.filter(pk=champion.pk).exists() and not recording.exists()

    def test_change_plan_confirms_then_writes_events_and_publishes(
        self, admin_client, admin_user, django_capture_on_commit_callbacks
    ):
        user = UserFactory()
        url = changelist("accounts.user")
        page = admin_client.post(url, {"action": "change_plan", ACTION: [user.pk]})
        assert page.status_code == 200 and b"Change the subscription" in page.content
        with django_capture_on_commit_callbacks(execute=True):
            done = admin_client.post(
                url, {"action": "change_plan", ACTION: [user.pk], "apply": "1", "plan": "pro", "status": "active"}
            )
        assert done.status_code == 302
        user.refresh_from_db()
        assert (user.subscription_plan, user.subscription_status) == ("pro", "active")
        event = SubscriptionEvent.objects.get(user=user)
        assert (event.from_plan, event.to_plan, event.changed_by_id) == ("free", "pro", admin_user.pk)
        assert ActivityLog.objects.filter(action="subscription.changed", user=user).exists()
        entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.UPDATE)
        assert entry.changes["subscription_plan"] == ["free", "pro"]
        assert_audited(entry, action="USER_UPDATE", actor=admin_user)

    def test_users_are_not_added_in_the_admin(self, admin_client):
        assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 403

    def test_the_change_page_shows_the_account_and_keeps_the_subscription_read_only(self, admin_client):
        user = UserFactory(email="maya@example.com", subscription_plan=Plan.PRO)
        url = reverse("admin:accounts_user_change", args=[user.pk])

        page = admin_client.get(url)
        form = {
            "email": user.email,
            "full_name": "Maya",
            "role": "user",
            "is_active": "on",
            "subscription_plan": "enterprise",
            "admin_notes-TOTAL_FORMS": "0",
            "admin_notes-INITIAL_FORMS": "0",
        }
        saved = admin_client.post(url, form)

        assert page.status_code == 200 and b"maya@example.com" in page.content
        assert saved.status_code == 302
        user.refresh_from_db()
        assert (user.full_name, user.subscription_plan) == ("Maya", Plan.PRO)
        assert not SubscriptionEvent.objects.filter(user=user).exists()

    def test_deactivate_skips_the_staff_member_doing_it(self, admin_client, admin_user):
        user = UserFactory()

        response = admin_client.post(
            changelist("accounts.user"), {"action": "deactivate", ACTION: [user.pk, admin_user.pk]}, follow=True
        )

        assert b"1 user(s) deactivated" in response.content
        assert User.objects.get(pk=admin_user.pk).is_active
        assert not User.objects.get(pk=user.pk).is_active

    def test_activate_counts_only_the_accounts_it_activated(self, admin_client):
        inactive, active = UserFactory(is_active=False), UserFactory()

        response = admin_client.post(
            changelist("accounts.user"), {"action": "activate", ACTION: [inactive.pk, active.pk]}, follow=True
        )

        assert b"1 user(s) activated" in response.content
        assert User.objects.filter(pk__in=[inactive.pk, active.pk], is_active=True).count() == 2

    def test_change_plan_with_an_unknown_plan_shows_the_form_again_and_changes_nothing(self, admin_client):
        user = UserFactory()

        response = admin_client.post(
            changelist("accounts.user"),
            {"action": "change_plan", ACTION: [user.pk], "apply": "1", "plan": "gold", "status": "active"},
        )

        assert response.status_code == 200 and b"Change the subscription" in response.content
        assert User.objects.get(pk=user.pk).subscription_plan == Plan.FREE
        assert not SubscriptionEvent.objects.filter(user=user).exists()

    def test_bulk_delete_removes_each_user_with_their_champions(
        self, admin_client, settings, django_capture_on_commit_callbacks
    ):
        users = UserFactory.create_batch(2)
        champions = [ReadyChampionFactory(owner=user) for user in users]
        recordings = [Path(settings.MEDIA_ROOT) / c.recording for c in champions]
        for recording in recordings:
            recording.parent.mkdir(parents=True, exist_ok=True)
            recording.write_bytes(b"a recording")

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                changelist("accounts.user"),
                {"action": "delete_selected", ACTION: [u.pk for u in users], "post": "yes"},
            )

        assert response.status_code == 302
        assert not User.objects.filter(pk__in=[u.pk for u in users]).exists()
        assert not Champion.objects.filter(pk__in=[c.pk for c in champions]).exists()
        assert not any(r.exists() for r in recordings)


class TestSubscriptionHistory:
    def test_the_history_is_listed_and_filtered_by_event_type(self, admin_client):
        upgrade = SubscriptionEventFactory(user=UserFactory(email="up@example.com"))
        SubscriptionEventFactory(
            user=UserFactory(email="down@example.com"),
            event_type=SubscriptionEvent.EventType.DOWNGRADE,
            from_plan=Plan.PRO,
            to_plan=Plan.FREE,
        )
        url = changelist("accounts.subscriptionevent")

        everything = admin_client.get(url).content.decode()
        upgrades = admin_client.get(url, {"event_type__exact": "upgrade"}).content.decode()

        assert "up@example.com" in everything and "down@example.com" in everything
        assert "up@example.com" in upgrades and "down@example.com" not in upgrades
        assert (
            admin_client.get(reverse("admin:accounts_subscriptionevent_change", args=[upgrade.pk])).status_code == 200
        )

    def test_the_history_cannot_be_written_in_the_admin(self, admin_client):
        event = SubscriptionEventFactory()

        assert admin_client.get(reverse("admin:accounts_subscriptionevent_add")).status_code == 403
        changed = admin_client.post(
            reverse("admin:accounts_subscriptionevent_change", args=[event.pk]), {"to_plan": "enterprise"}
        )
        deleted = admin_client.post(
            reverse("admin:accounts_subscriptionevent_delete", args=[event.pk]), {"post": "yes"}
        )

        assert changed.status_code == 403 and deleted.status_code == 403
        assert SubscriptionEvent.objects.get(pk=event.pk).to_plan == Plan.PRO


@pytest.mark.parametrize("model", ["accounts.user", "accounts.subscriptionevent"])
def test_changelist_query_count_does_not_grow_from_10_to_1000_rows(admin_client, model):
    def add_rows(count: int) -> None:
        owner = UserFactory()
        makers = {
            "accounts.user": lambda: User.objects.bulk_create(
                [User(email=f"row{owner.pk}-{i}@example.com") for i in range(count)]
            ),
            "accounts.subscriptionevent": lambda: SubscriptionEvent.objects.bulk_create(
                [
                    SubscriptionEvent(user=owner, event_type="upgrade", from_plan="free", to_plan="pro")
                    for _ in range(count)
                ]
            ),
        }
        makers[model]()

    assert_changelist_queries_do_not_grow(admin_client, changelist(model), add_rows)


def test_unfiltered_big_tables_use_the_planner_estimate_on_postgresql(admin_client, monkeypatch):
    from django.db import connection

    from core import paginators

    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 5)
    User.objects.bulk_create([User(email=f"est{i}@example.com") for i in range(20)])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_user")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(changelist("accounts.user")).status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    if connection.vendor == "postgresql":
        assert counts == [] and any("reltuples" in q["sql"] for q in captured.captured_queries)
    else:
        assert len(counts) == 1  # SQLite has no estimate: one exact count, never a second full one
