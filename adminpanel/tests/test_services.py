"""The operations services: activity and error records, alerts (deduplicated until read),
notes, the staff login lock and log retention, asserted on the rows they leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory, UserFactory
from adminpanel import services
from adminpanel.audit import action_label
from adminpanel.models import ActivityLog, AdminAlert, AdminLoginFailure, AdminNote, ErrorLog
from adminpanel.tests.factories import AlertFactory, ErrorLogFactory, NoteFactory

pytestmark = pytest.mark.django_db


def test_activity_record_stores_the_action_with_its_resource(user):
    entry = services.activity_record(
        action="champion.created",
        user_id=user.pk,
        resource_type="champion",
        resource_id="42",
        metadata={"name": "Maya's call"},
        ip_address="10.0.0.1",
    )

    stored = ActivityLog.objects.get(pk=entry.pk)
    assert (stored.action, stored.user_id, stored.resource_type, stored.resource_id) == (
        "champion.created",
        user.pk,
        "champion",
        "42",
    )
    assert (stored.metadata, stored.ip_address) == ({"name": "Maya's call"}, "10.0.0.1")
    assert services.activity_record(action="user.login", user_id=None).metadata == {}


class TestErrorRecords:
    def test_error_record_stores_the_error_cut_to_the_column_sizes(self, user):
        error = services.error_record(
            error_type="E" * 200,
            message="m" * 20_000,
            stack_trace="s" * 200_000,
            user_id=user.pk,
            request_path="/p" * 400,
            source="x" * 300,
        )

        stored = ErrorLog.objects.get(pk=error.pk)
        assert [len(stored.error_type), len(stored.message), len(stored.stack_trace)] == [128, 10_000, 100_000]
        assert [len(stored.request_path), len(stored.source)] == [500, 200]
        assert stored.user_id == user.pk and not stored.resolved

    def test_error_record_exception_keeps_type_message_and_traceback(self):
        try:
            raise KeyError("champion 7")
        except KeyError as exc:
            error = services.error_record_exception(exc, request_path="/champions/7", source="champions.tasks.run")

        stored = ErrorLog.objects.get(pk=error.pk)
        assert (stored.error_type, stored.message) == ("KeyError", "'champion 7'")
        assert "Traceback" in stored.stack_trace and 'raise KeyError("champion 7")' in stored.stack_trace
        assert (stored.request_path, stored.source) == ("/champions/7", "champions.tasks.run")

    def test_an_exception_without_a_message_is_recorded_by_its_type(self):
        error = services.error_record_exception(TimeoutError())
        assert ErrorLog.objects.get(pk=error.pk).message == "TimeoutError"

    def test_error_resolve_stamps_who_and_when_and_keeps_earlier_notes_without_new_ones(self):
        staff = StaffUserFactory()
        error = ErrorLogFactory(notes="Seen before")

        services.error_resolve(error=error, resolved_by_id=staff.pk)

        stored = ErrorLog.objects.get(pk=error.pk)
        assert stored.resolved and stored.resolved_by_id == staff.pk and stored.resolved_at is not None
        assert stored.notes == "Seen before"

    def test_resolving_with_audit_writes_one_error_resolve_entry(self):
        staff = StaffUserFactory()
        error = ErrorLogFactory()

        services.error_resolve_with_audit(error=error, resolved_by=staff, notes="Fixed in 1.2")

        assert ErrorLog.objects.get(pk=error.pk).notes == "Fixed in 1.2"
        (entry,) = LogEntry.objects.get_for_object(error)
        assert action_label(entry) == "ERROR_RESOLVE"
        assert entry.changes == {"resolved": ["False", "True"], "notes": ["", "Fixed in 1.2"]}


class TestAlertRaise:
    def raise_failure(self, **overrides) -> AdminAlert:
        arguments = {
            "type": "webhook.delivery_failed",
            "message": "Delivery failed for good",
            "resource_type": "webhook_endpoint",
            "resource_id": 7,
            **overrides,
        }
        return services.alert_raise(**arguments)

    def test_stores_the_alert_with_its_resource_as_text(self):
        alert = self.raise_failure(severity=AdminAlert.Severity.ERROR)

        stored = AdminAlert.objects.get(pk=alert.pk)
        assert (stored.type, stored.severity, stored.resource_type, stored.resource_id) == (
            "webhook.delivery_failed",
            "error",
            "webhook_endpoint",
            "7",
        )
        assert not stored.is_read and stored.dismissed_at is None

    def test_an_unread_alert_about_the_same_thing_is_returned_instead_of_a_new_one(self):
        first = self.raise_failure()

        again = self.raise_failure(message="Another delivery failed")

        assert again.pk == first.pk
        assert AdminAlert.objects.filter(type="webhook.delivery_failed").count() == 1
        assert AdminAlert.objects.get(pk=first.pk).message == "Delivery failed for good"

    @pytest.mark.parametrize(
        "difference",
        [{"resource_id": 8}, {"resource_type": "champion"}, {"type": "webhook.endpoint_disabled"}],
    )
    def test_an_alert_about_something_else_is_a_new_one(self, difference):
        first = self.raise_failure()

        other = self.raise_failure(**difference)

        assert other.pk != first.pk
        assert AdminAlert.objects.count() == 2

    @pytest.mark.parametrize("seen", ["read", "dismissed"])
    def test_once_staff_have_seen_it_the_same_failure_raises_a_new_alert(self, seen):
        first = self.raise_failure()
        if seen == "read":
            services.alerts_mark_read(alert_ids=[first.pk])
        else:
            services.alert_dismiss(alert=first, dismissed_by=StaffUserFactory())

        assert self.raise_failure().pk != first.pk
        assert AdminAlert.objects.count() == 2

    def test_without_deduplication_every_call_is_an_alert(self):
        first = self.raise_failure()

        assert self.raise_failure(deduplicate=False).pk != first.pk
        assert AdminAlert.objects.count() == 2

    def test_no_resource_is_stored_as_empty_and_long_values_are_cut(self):
        alert = services.alert_raise(type="t" * 100, message="m" * 20_000, resource_type="r" * 100, resource_id=None)

        stored = AdminAlert.objects.get(pk=alert.pk)
        assert [len(stored.type), len(stored.message), len(stored.resource_type), stored.resource_id] == [
            64,
            10_000,
            64,
            "",
        ]


class TestAlertsReadAndDismiss:
    def test_mark_read_reads_only_the_given_alerts(self):
        first, second = AlertFactory.create_batch(2)

        assert services.alerts_mark_read(alert_ids=[first.pk]) == 1

        assert AdminAlert.objects.get(pk=first.pk).read_at is not None
        assert not AdminAlert.objects.get(pk=second.pk).is_read

    def test_mark_read_without_ids_reads_every_unread_alert_once(self):
        AlertFactory.create_batch(3)
        services.alerts_mark_read(alert_ids=[AdminAlert.objects.first().pk])

        assert services.alerts_mark_read() == 2
        assert not AdminAlert.objects.filter(is_read=False).exists()
        assert services.alerts_mark_read() == 0

    def test_dismiss_reads_the_alert_and_audits_who_dismissed_it_once(self):
        staff = StaffUserFactory()
        alert = AlertFactory()

        services.alert_dismiss(alert=alert, dismissed_by=staff)
        first_dismissal = AdminAlert.objects.get(pk=alert.pk).dismissed_at
        services.alert_dismiss(alert=alert, dismissed_by=StaffUserFactory())

        stored = AdminAlert.objects.get(pk=alert.pk)
        assert stored.dismissed_by_id == staff.pk and stored.dismissed_at == first_dismissal
        assert stored.is_read and stored.read_at is not None
        (entry,) = LogEntry.objects.get_for_object(alert)
        assert action_label(entry) == "ALERT_DISMISS"


class TestNotes:
    def test_a_new_note_is_written_by_the_staff_member_saving_it(self, user):
        staff = StaffUserFactory()

        note = services.note_save(note=AdminNote(user=user, content="Called about the invoice."), author=staff)

        stored = AdminNote.objects.get(pk=note.pk)
        assert (stored.user_id, stored.author_id, stored.content) == (user.pk, staff.pk, "Called about the invoice.")

    def test_editing_a_note_keeps_its_author(self):
        author, editor = StaffUserFactory(), StaffUserFactory()
        note = NoteFactory(author=author)

        note.content = "Called back: resolved."
        services.note_save(note=note, author=editor)

        stored = AdminNote.objects.get(pk=note.pk)
        assert (stored.author_id, stored.content) == (author.pk, "Called back: resolved.")

    def test_an_empty_note_is_refused(self, user):
        with pytest.raises(ValidationError) as raised:
            services.note_save(note=AdminNote(user=user, content=""), author=StaffUserFactory())
        assert "content" in raised.value.message_dict
        assert not AdminNote.objects.filter(user=user).exists()

    def test_deleting_a_note_removes_it_and_is_audited(self):
        note = NoteFactory()
        note_pk = note.pk

        services.note_delete(note=note)

        assert not AdminNote.objects.filter(pk=note_pk).exists()
        entries = LogEntry.objects.filter(object_pk=str(note_pk), content_type__model="adminnote")
        assert "NOTE_DELETE" in {action_label(e) for e in entries}


class TestStaffLoginLock:
    @pytest.fixture(autouse=True)
    def _limits(self, settings):
        settings.ADMIN_LOGIN_MAX_FAILURES = 3
        settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS = 600
        settings.ADMIN_LOGIN_LOCK_SECONDS = 900

    def fail(self, count: int, *, email: str = "ops@example.com", ip_address: str | None = "198.51.100.7") -> None:
        for _ in range(count):
            services.admin_login_failed(email=email, ip_address=ip_address, user_agent="curl/8")

    def test_records_each_failure_with_the_address_lower_cased(self):
        failure = services.admin_login_failed(
            email=" Ops@Example.com ", ip_address="198.51.100.7", user_agent="x" * 600
        )

        stored = AdminLoginFailure.objects.get(pk=failure.pk)
        assert (stored.email, stored.ip_address, len(stored.user_agent)) == ("ops@example.com", "198.51.100.7", 500)

    def test_the_account_is_locked_at_the_threshold_whatever_the_address(self):
        self.fail(2, ip_address=None)
        assert not services.admin_login_locked(email="ops@example.com", ip_address="203.0.113.1")

        self.fail(1, ip_address=None)

        assert services.admin_login_locked(email="OPS@example.com", ip_address="203.0.113.1")
        assert not services.admin_login_locked(email="other@example.com", ip_address="203.0.113.1")

    def test_the_address_is_locked_at_the_threshold_whatever_the_account(self):
        for n in range(3):
            services.admin_login_failed(email=f"guess{n}@example.com", ip_address="198.51.100.7")

        assert services.admin_login_locked(email="ops@example.com", ip_address="198.51.100.7")
        assert not services.admin_login_locked(email="ops@example.com", ip_address="198.51.100.8")

    def test_failures_older_than_the_window_and_the_lock_no_longer_count(self):
        self.fail(3)

        later = timezone.now() + timedelta(seconds=901)

        assert services.admin_login_locked(email="ops@example.com", ip_address=None)
        assert not services.admin_login_locked(email="ops@example.com", ip_address="198.51.100.7", now=later)

    def test_the_threshold_raises_one_critical_alert_not_one_per_try(self):
        self.fail(2)
        assert not AdminAlert.objects.filter(type="security.suspicious_admin_access").exists()

        self.fail(3)

        (alert,) = AdminAlert.objects.filter(type="security.suspicious_admin_access")
        assert alert.severity == AdminAlert.Severity.CRITICAL
        assert (alert.resource_type, alert.resource_id) == ("admin_login", "ops@example.com")
        assert "ops@example.com" in alert.message and "198.51.100.7" in alert.message and "15 minutes" in alert.message

    def test_an_unknown_account_from_one_address_is_alerted_by_its_address(self):
        self.fail(3, email="")

        (alert,) = AdminAlert.objects.filter(type="security.suspicious_admin_access")
        assert alert.resource_id == "198.51.100.7" and "an unknown account" in alert.message


class TestLogsPurge:
    @pytest.fixture
    def old_and_new(self, settings):
        from emails_app.models import EmailLog
        from webhooks_app.models import WebhookDelivery
        from webhooks_app.tests.factories import WebhookEndpointFactory

        settings.LOG_RETENTION_DAYS = {
            "activity": 90,
            "errors": 90,
            "emails": 30,
            "webhook_deliveries": 30,
            "audit": 365,
            "login_failures": 30,
        }
        now = timezone.now()
        user, endpoint = UserFactory(), WebhookEndpointFactory()
        for age, created_at in enumerate((now - timedelta(days=400), now - timedelta(days=1))):
            ActivityLog.objects.create(action="user.login", created_at=created_at)
            ErrorLog.objects.create(error_type="E", message="resolved", resolved=True, created_at=created_at)
            AdminLoginFailure.objects.create(email="ops@example.com", created_at=created_at)
            EmailLog.objects.create(
                user=user, trigger="welcome", dedupe_key=f"k{age}", recipient=user.email, created_at=created_at
            )
            WebhookDelivery.objects.create(
                endpoint=endpoint, event_type="user.login", message_id=f"msg_{age}", payload={}, created_at=created_at
            )
        ErrorLog.objects.create(error_type="E", message="open", created_at=now - timedelta(days=400))
        LogEntry.objects.all().delete()  # the audit entries the set-up wrote
        for timestamp in (now - timedelta(days=400), now - timedelta(days=1)):
            entry = LogEntry.objects.log_create(user, force_log=True, action=LogEntry.Action.UPDATE, changes={})
            LogEntry.objects.filter(pk=entry.pk).update(timestamp=timestamp)
        return now

    def remaining(self) -> dict[str, int]:
        from emails_app.models import EmailLog
        from webhooks_app.models import WebhookDelivery

        return {
            "activity": ActivityLog.objects.count(),
            "errors": ErrorLog.objects.count(),
            "emails": EmailLog.objects.count(),
            "webhook_deliveries": WebhookDelivery.objects.count(),
            "audit": LogEntry.objects.count(),
            "login_failures": AdminLoginFailure.objects.count(),
        }

    def test_deletes_what_is_older_than_its_retention_and_says_how_much(self, old_and_new):
        counts = services.logs_purge(now=old_and_new)

        assert counts == dict.fromkeys(
            ["activity", "errors", "emails", "webhook_deliveries", "audit", "login_failures"], 1
        )
        assert self.remaining() == {**dict.fromkeys(counts, 1), "errors": 2}

    def test_unresolved_errors_stay_however_old(self, old_and_new):
        services.logs_purge(now=old_and_new)

        assert set(ErrorLog.objects.values_list("message", "resolved")) == {("open", False), ("resolved", True)}

    def test_a_dry_run_counts_and_deletes_nothing(self, old_and_new):
        before = self.remaining()

        counts = services.logs_purge(now=old_and_new, dry_run=True)

        assert counts == dict.fromkeys(before, 1)
        assert self.remaining() == before
