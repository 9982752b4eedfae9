"""The staff admin: every page and action of the operations area, permissions, audit
entries (actor, IP, user agent), login protection, idle timeout, rate limits, query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from adminpanel.audit import action_label
from adminpanel.models import ActivityLog, AdminAlert, AdminLoginFailure, AdminNote, ErrorLog
from adminpanel.tests.conftest import STAFF_UA
from adminpanel.tests.factories import ActivityFactory, AlertFactory, ErrorLogFactory, NoteFactory
from champions.tests.factories import ReadyChampionFactory

pytestmark = pytest.mark.django_db
ACTION = "_selected_action"


def changelist(model: str) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_changelist")


def assert_audited(entry: LogEntry, *, action: str, actor: User) -> None:
    assert action_label(entry) == action
    assert entry.actor_id == actor.pk
    assert entry.remote_addr == "192.0.2.10"
    assert entry.additional_data["user_agent"] == STAFF_UA


class TestDashboard:
    def test_dashboard_shows_figures_and_server_side_charts(self, admin_client):
        UserFactory.create_batch(3)
        ErrorLogFactory.create_batch(2)
        ActivityFactory.create_batch(4)
        response = admin_client.get(reverse("admin:index"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="dashboard"' in html and html.count("<svg") >= 2
        figures = response.context["dashboard"]
        assert figures["users"]["total"] == 4 + 4  # 3 + staff + activity owners
        assert figures["errors"]["unresolved"] == 2
        assert sum(n for _, n in figures["activity"]) == 4
        assert [row["stage"] for row in figures["funnel"]][0] == "registered"
        assert "cdn" not in html.lower()

    @staticmethod
    def add_teams_with_reps(users) -> None:
        from teams.models import Membership, Team

        teams = Team.objects.bulk_create([Team(name=f"Team {i}") for i in range(30)])
        Membership.objects.bulk_create(
            [Membership(team=teams[index % 30], user=user, role="rep") for index, user in enumerate(users)]
        )

    def test_dashboard_query_count_does_not_grow_with_the_data(self, admin_client, django_assert_max_num_queries):
        cache.clear()
        with django_assert_max_num_queries(40) as small:
            admin_client.get(reverse("admin:index"))
        User.objects.bulk_create([User(email=f"bulk{i}@example.com") for i in range(1000)])
        ActivityLog.objects.bulk_create([ActivityLog(action="user.login") for _ in range(1000)])
        self.add_teams_with_reps(User.objects.filter(email__startswith="bulk")[:300])
        cache.clear()
        with django_assert_max_num_queries(len(small)):
            admin_client.get(reverse("admin:index"))

    def test_dashboard_counts_teams_active_reps_and_assignment_completion(self, admin_client):
        from champions.tests.factories import ReadyChampionFactory
        from teams.tests.factories import team_with
        from training.models import Assignment, AssignmentAssignee, TrainingSession
        from training.tests.factories import TrainingSessionFactory

        now = timezone.now()
        manager, active, idle, elsewhere = UserFactory.create_batch(4)
        team = team_with(manager, active, idle, name="Sales East")
        team_with(UserFactory(), name="Empty")
        champion = ReadyChampionFactory(owner=manager, team=team, published_at=now)
        completed = TrainingSession.Status.COMPLETED
        TrainingSessionFactory(user=active, champion=champion, status=completed, ended_at=now - timedelta(days=2))
        # Not active on this team: long ago, on a personal champion, or not completed.
        TrainingSessionFactory(user=idle, champion=champion, status=completed, ended_at=now - timedelta(days=45))
        TrainingSessionFactory(user=idle, status=completed, ended_at=now)
        TrainingSessionFactory(user=idle, champion=champion)
        TrainingSessionFactory(user=elsewhere, champion=champion, status=completed, ended_at=now)
        live = Assignment.objects.create(team=team, champion=champion, due_at=now + timedelta(days=7), pass_score=60)
        past = Assignment.objects.create(team=team, champion=champion, due_at=now - timedelta(days=1), pass_score=60)
        gone = Assignment.objects.create(
            team=team, champion=champion, due_at=now + timedelta(days=7), pass_score=60, cancelled_at=now
        )
        AssignmentAssignee.objects.create(assignment=live, user=active, passed_at=now)
        AssignmentAssignee.objects.create(assignment=live, user=idle)
        AssignmentAssignee.objects.create(assignment=past, user=idle)  # overdue: apart
        AssignmentAssignee.objects.create(assignment=gone, user=active, passed_at=now)  # cancelled: not counted
        cache.clear()
        response = admin_client.get(reverse("admin:index"))
        teams = response.context["dashboard"]["teams"]
        assert teams["total"] == 2
        assert teams["per_team"] == [{"id": team.pk, "name": "Sales East", "reps": 2, "active_reps": 1}]
        assert teams["assignees"] == {"passed": 1, "open": 1, "overdue": 1}
        assert teams["completion"] == 50.0
        assert 'id="dashboard-teams"' in response.content.decode()

    def test_figures_are_cached(self, admin_client, django_assert_max_num_queries):
        admin_client.get(reverse("admin:index"))
        UserFactory.create_batch(2)
        response = admin_client.get(reverse("admin:index"))
        assert response.context["dashboard"]["users"]["total"] == 1


class TestUsers:
    def test_detail_shows_champions_sessions_activity_and_notes(self, admin_client):
        user = UserFactory()
        champion = ReadyChampionFactory(owner=user, name="Maya's best call")
        ActivityFactory(user=user, action="champion.created")
        NoteFactory(user=user, content="Prefers email.")
        html = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
        assert (
            "Maya&#x27;s best call" in html and reverse("admin:champions_champion_change", args=[champion.pk]) in html
        )
        assert "champion.created" in html and "Prefers email." in html

    def test_editing_a_user_is_audited_with_old_and_new_values(self, admin_client, admin_user):
        user = UserFactory(full_name="Old Name")
        url = reverse("admin:accounts_user_change", args=[user.pk])
        data = {
            "email": user.email,
            "full_name": "New Name",
            "role": "user",
            "is_active": "on",
            "admin_notes-TOTAL_FORMS": "1",
            "admin_notes-INITIAL_FORMS": "0",
            "admin_notes-0-content": "Asked for a refund.",
            "admin_notes-0-is_pinned": "on",
        }
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        user.refresh_from_db()
        assert user.full_name == "New Name"
        update = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.UPDATE)
        assert update.changes["full_name"] == ["Old Name", "New Name"]
        assert_audited(update, action="USER_UPDATE", actor=admin_user)
        note = AdminNote.objects.get(user=user)
        assert note.author == admin_user and note.is_pinned
        assert_audited(LogEntry.objects.get_for_object(note).get(), action="NOTE_CREATE", actor=admin_user)
        assert "password" not in json.dumps(list(LogEntry.objects.values("changes", "additional_data")))


class TestErrorsAlertsNotes:
    def test_error_pages_and_resolve_with_a_note_audited(self, admin_client, admin_user):
        error = ErrorLogFactory()
        assert admin_client.get(changelist("adminpanel.errorlog")).status_code == 200
        detail = admin_client.get(reverse("admin:adminpanel_errorlog_change", args=[error.pk]))
        assert detail.status_code == 200 and b"Traceback" in detail.content
        url = changelist("adminpanel.errorlog")
        assert admin_client.post(url, {"action": "mark_resolved", ACTION: [error.pk]}).status_code == 200
        admin_client.post(url, {"action": "mark_resolved", ACTION: [error.pk], "apply": "1", "notes": "Fixed in 1.2"})
        error.refresh_from_db()
        assert error.resolved and error.resolved_by == admin_user and error.notes == "Fixed in 1.2"
        entries = LogEntry.objects.get_for_object(error)
        assert entries.count() == 1
        assert_audited(entries.get(), action="ERROR_RESOLVE", actor=admin_user)

    def test_alerts_read_dismiss_and_read_all(self, admin_client, admin_user):
        first, second, third = AlertFactory.create_batch(3)
        url = changelist("adminpanel.adminalert")
        admin_client.post(url, {"action": "mark_read", ACTION: [first.pk]})
        first.refresh_from_db()
        assert first.is_read and first.read_at
        admin_client.post(url, {"action": "dismiss", ACTION: [second.pk]})
        second.refresh_from_db()
        assert second.dismissed_by == admin_user and second.dismissed_at
        assert_audited(LogEntry.objects.get_for_object(second).get(), action="ALERT_DISMISS", actor=admin_user)
        read_all = reverse("admin:adminpanel_adminalert_read_all")
        assert admin_client.get(read_all).status_code == 200
        admin_client.post(read_all)
        assert not AdminAlert.objects.filter(is_read=False).exists()

    def test_notes_update_and_delete_are_audited(self, admin_client, admin_user):
        note = NoteFactory()
        url = reverse("admin:adminpanel_adminnote_change", args=[note.pk])
        admin_client.post(url, {"user": note.user_id, "content": "Updated", "is_pinned": "on"})
        note.refresh_from_db()
        assert note.content == "Updated"
        admin_client.post(reverse("admin:adminpanel_adminnote_delete", args=[note.pk]), {"post": "yes"})
        entries = LogEntry.objects.filter(object_pk=str(note.pk), content_type__model="adminnote")
        assert sorted(action_label(e) for e in entries) == ["NOTE_CREATE", "NOTE_DELETE", "NOTE_UPDATE"]
        assert all(e.actor == admin_user for e in entries if action_label(e) != "NOTE_CREATE")

    @pytest.mark.parametrize(
        "model",
        [
            "adminpanel.activitylog",
            "adminpanel.errorlog",
            "adminpanel.adminalert",
            "adminpanel.adminnote",
            "auditlog.logentry",
        ],
    )
    def test_changelist_query_count_does_not_grow_from_10_to_1000_rows(self, admin_client, model):
        def add_rows(count: int) -> None:
            owner = UserFactory()
            makers = {
                "adminpanel.activitylog": lambda: ActivityLog.objects.bulk_create(
                    [ActivityLog(user=owner, action="user.login") for _ in range(count)]
                ),
                "adminpanel.errorlog": lambda: ErrorLog.objects.bulk_create(
                    [ErrorLog(user=owner, error_type="E", message="m") for _ in range(count)]
                ),
                "adminpanel.adminalert": lambda: AdminAlert.objects.bulk_create(
                    [AdminAlert(type="t", message="m") for _ in range(count)]
                ),
                "adminpanel.adminnote": lambda: AdminNote.objects.bulk_create(
                    [AdminNote(user=owner, author=owner, content="c") for _ in range(count)]
                ),
                "auditlog.logentry": lambda: [
                    LogEntry.objects.log_create(owner, force_log=True, action=1, changes={}) for _ in range(count)
                ],
            }
            makers[model]()

        assert_changelist_queries_do_not_grow(admin_client, changelist(model), add_rows)


def assert_changelist_queries_do_not_grow(client: Client, url: str, add_rows: Callable[[int], object]) -> None:
    """The page of a big table costs as many queries with 1000 rows as with 10, and few: the
    staff admin's guard for every changelist (the apps' admin tests use it for theirs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_rows(10)
    assert client.get(url).status_code == 200  # warm up: the session is stored once
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_rows(990)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    assert len(small) <= 9


class TestAuditLog:
    def test_audit_pages_filters_and_exports(self, admin_client, admin_user):
        error = ErrorLogFactory()
        admin_client.post(
            changelist("adminpanel.errorlog"),
            {"action": "mark_resolved", ACTION: [error.pk], "apply": "1", "notes": "n"},
        )
        entry = LogEntry.objects.get(additional_data__action="ERROR_RESOLVE")
        assert admin_client.get(changelist("auditlog.logentry"), {"named_action": "ERROR_RESOLVE"}).status_code == 200
        assert admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
        exported = json.loads(
            admin_client.get(
                reverse("admin:auditlog_logentry_export", args=["json"]), {"named_action": "ERROR_RESOLVE"}
            ).content
        )
        assert exported[0]["action"] == "ERROR_RESOLVE" and exported[0]["user_agent"] == STAFF_UA
        csv_response = admin_client.get(reverse("admin:auditlog_logentry_export", args=["csv"]))
        body = b"".join(csv_response.streaming_content).decode()
        assert body.splitlines()[0].startswith("id,timestamp,action") and "ERROR_RESOLVE" in body

    def test_the_csv_export_neutralises_formulas_from_user_input(self, admin_client):
        import csv
        import io

        ReadyChampionFactory(name='=HYPERLINK("http://evil.test","click")')  # audited on creation

        response = admin_client.get(reverse("admin:auditlog_logentry_export", args=["csv"]))

        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        named = [row["object_repr"] for row in rows if "HYPERLINK" in row["object_repr"]]
        assert named and all(name.startswith("'=HYPERLINK") for name in named)

    def test_a_hand_edited_actor_filter_is_ignored_not_a_500(self, admin_client):
        assert admin_client.get(changelist("auditlog.logentry"), {"actor": "abc"}).status_code == 200
        export = admin_client.get(reverse("admin:auditlog_logentry_export", args=["json"]), {"actor": "abc"})
        assert export.status_code == 200

    def test_export_is_rate_limited_to_five_a_minute(self, admin_client):
        url = reverse("admin:auditlog_logentry_export", args=["json"])
        assert all(admin_client.get(url).status_code == 200 for _ in range(5))
        limited = admin_client.get(url)
        assert limited.status_code == 429 and int(limited["Retry-After"]) > 0

    def test_audit_entries_cannot_be_changed_or_deleted(self, admin_client):
        ErrorLogFactory()
        entry_id = LogEntry.objects.log_create(ErrorLog.objects.get(), force_log=True, action=1, changes={}).pk
        assert (
            admin_client.post(reverse("admin:auditlog_logentry_delete", args=[entry_id]), {"post": "yes"}).status_code
            == 403
        )
        assert LogEntry.objects.filter(pk=entry_id).exists()


class TestPermissionsAndSecurity:
    def test_support_reads_everything_but_cannot_change_plans(self, support):
        client, _ = support
        user = UserFactory()
        for model in ["accounts.user", "adminpanel.errorlog", "training.trainingsession", "auditlog.logentry"]:
            assert client.get(changelist(model)).status_code == 200
        # ...except simplejwt's tables, which hold the refresh tokens themselves.
        assert client.get(changelist("token_blacklist.outstandingtoken")).status_code == 403
        response = client.post(
            changelist("accounts.user"),
            {"action": "change_plan", ACTION: [user.pk], "apply": "1", "plan": "pro", "status": "active"},
        )
        user.refresh_from_db()
        assert user.subscription_plan == "free"
        assert response.status_code in (200, 302)

    def test_support_resolves_errors_and_writes_notes(self, support):
        client, staff = support
        error = ErrorLogFactory()
        client.post(
            changelist("adminpanel.errorlog"),
            {"action": "mark_resolved", ACTION: [error.pk], "apply": "1", "notes": "ok"},
        )
        error.refresh_from_db()
        assert error.resolved
        user = UserFactory()
        client.post(reverse("admin:adminpanel_adminnote_add"), {"user": user.pk, "content": "Called back"})
        assert AdminNote.objects.get(user=user).author == staff

    def test_groups_exist_with_their_permissions(self):
        support = Group.objects.get(name="support")
        administrators = Group.objects.get(name="administrators")
        assert support.permissions.filter(codename="view_user").exists()
        assert not support.permissions.filter(codename="change_user").exists()
        assert administrators.permissions.filter(codename="change_user").exists()

    def test_non_staff_cannot_reach_the_admin(self, user):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]

    def test_repeated_failed_logins_lock_and_raise_an_alert(self, admin_user, settings):
        client = Client(REMOTE_ADDR="198.51.100.7")
        url = reverse("admin:login")
        for _ in range(settings.ADMIN_LOGIN_MAX_FAILURES):
            response = client.post(url, {"username": admin_user.email, "password": "wrong-Passw0rd!"})
            assert response.status_code == 200
        assert AdminAlert.objects.filter(type="security.suspicious_admin_access").count() == 1
        from accounts.tests.factories import DEFAULT_PASSWORD

        locked = client.post(url, {"username": admin_user.email, "password": DEFAULT_PASSWORD})
        assert locked.status_code == 200 and b"Too many failed attempts" in locked.content
        assert AdminLoginFailure.objects.count() == settings.ADMIN_LOGIN_MAX_FAILURES

    def test_idle_staff_session_expires(self, admin_client, settings):
        assert admin_client.get(reverse("admin:index")).status_code == 200
        session = admin_client.session
        session["staff_last_seen"] -= settings.ADMIN_IDLE_TIMEOUT_SECONDS + 5
        session.save()
        response = admin_client.get(reverse("admin:index"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]

    def test_admin_deletes_are_rate_limited_with_a_clear_page(self, admin_client):
        notes = NoteFactory.create_batch(11)
        statuses = [
            admin_client.post(reverse("admin:adminpanel_adminnote_delete", args=[n.pk]), {"post": "yes"}).status_code
            for n in notes
        ]
        assert statuses[:10] == [302] * 10
        assert statuses[10] == 429
        assert AdminNote.objects.count() == 1


def test_purge_logs_deletes_old_entries_and_keeps_unresolved_errors(settings):
    from django.core.management import call_command

    old = timezone.now() - timedelta(days=400)
    ActivityLog.objects.create(action="user.login", created_at=old)
    ActivityLog.objects.create(action="user.login")
    ErrorLog.objects.create(error_type="E", message="old resolved", resolved=True, created_at=old)
    ErrorLog.objects.create(error_type="E", message="old open", created_at=old)
    call_command("purge_logs", "--dry-run")
    assert ActivityLog.objects.count() == 2
    call_command("purge_logs")
    assert ActivityLog.objects.count() == 1
    assert list(ErrorLog.objects.values_list("message", flat=True)) == ["old open"]


def test_support_cannot_delete_email_templates(support):
    from emails_app.models import EmailTemplate

    client, _ = support
    template = EmailTemplate.objects.create(trigger="welcome", subject="Welcome", body_html="<p>Hi</p>", body_text="Hi")
    assert client.get(reverse("admin:emails_app_emailtemplate_change", args=[template.pk])).status_code == 200
    response = client.post(reverse("admin:emails_app_emailtemplate_delete", args=[template.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert EmailTemplate.objects.filter(pk=template.pk).exists()


def test_webhook_and_template_actions_are_audited_with_actor_ip_and_user_agent(admin_client, admin_user):
    from emails_app.models import EmailTemplate
    from webhooks_app.models import WebhookEndpoint

    admin_client.post(
        reverse("admin:webhooks_app_webhookendpoint_add"),
        {"name": "CRM", "url": "https://1.1.1.1/hooks", "event_types": ["user.login"], "is_active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    admin_client.post(
        reverse("admin:webhooks_app_webhookendpoint_change", args=[endpoint.pk]),
        {"name": "CRM 2", "url": endpoint.url, "event_types": [], "is_active": "on"},
    )
    admin_client.post(reverse("admin:webhooks_app_webhookendpoint_regenerate_secret", args=[endpoint.pk]))
    admin_client.post(reverse("admin:webhooks_app_webhookendpoint_delete", args=[endpoint.pk]), {"post": "yes"})
    template_fields = {
        "subject": "Hi {{ user_name }}",
        "body_html": "<p>Hello {{ user_name }}</p>",
        "body_text": "Hello",
        "is_active": "on",
    }
    admin_client.post(reverse("admin:emails_app_emailtemplate_add"), {"trigger": "welcome", **template_fields})
    template = EmailTemplate.objects.get()
    admin_client.post(
        reverse("admin:emails_app_emailtemplate_change", args=[template.pk]),
        {"trigger": "welcome", **template_fields, "subject": "Welcome {{ user_name }}"},
    )
    admin_client.post(reverse("admin:emails_app_emailtemplate_delete", args=[template.pk]), {"post": "yes"})

    entries = [e for e in LogEntry.objects.all() if e.actor_id == admin_user.pk]
    labels = {action_label(e) for e in entries}
    assert {
        "WEBHOOK_CREATE",
        "WEBHOOK_UPDATE",
        "WEBHOOK_SECRET_REGENERATE",
        "WEBHOOK_DELETE",
        "EMAIL_TEMPLATE_CREATE",
        "EMAIL_TEMPLATE_UPDATE",
        "EMAIL_TEMPLATE_DELETE",
    } <= labels
    for entry in entries:
        assert entry.remote_addr == "192.0.2.10", action_label(entry)
        assert entry.additional_data["user_agent"] == STAFF_UA, action_label(entry)
    assert "whsec_" not in json.dumps(list(LogEntry.objects.values("changes", "additional_data")), default=str)
