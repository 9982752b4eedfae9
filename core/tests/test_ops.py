"""``core.ops``, the operations facilities every app may use: through the handlers adminpanel
registers they land in its tables; with none registered they are only logged."""

from __future__ import annotations

import logging

import pytest
from auditlog.models import LogEntry

from accounts.tests.factories import UserFactory
from adminpanel.audit import action_label
from adminpanel.models import AdminAlert, ErrorLog
from core import ops

pytestmark = pytest.mark.django_db


class TestWithTheOperationsAppsHandlers:
    def test_alert_raise_creates_an_admin_alert(self):
        ops.alert_raise(
            type="webhook.endpoint_disabled",
            message="The CRM endpoint failed for three days.",
            severity=ops.AlertSeverity.ERROR,
            resource_type="webhook_endpoint",
            resource_id=7,
        )

        (alert,) = AdminAlert.objects.filter(type="webhook.endpoint_disabled")
        assert (alert.severity, alert.message, alert.resource_type, alert.resource_id) == (
            "error",
            "The CRM endpoint failed for three days.",
            "webhook_endpoint",
            "7",
        )
        assert not alert.is_read

    def test_alert_raise_is_deduplicated_until_staff_read_it(self):
        for _ in range(3):
            ops.alert_raise(type="training.judge_fallback", message="m", resource_type="coach", resource_id="anthropic")
        assert AdminAlert.objects.filter(type="training.judge_fallback").count() == 1

        AdminAlert.objects.update(is_read=True)
        ops.alert_raise(type="training.judge_fallback", message="m", resource_type="coach", resource_id="anthropic")

        assert AdminAlert.objects.filter(type="training.judge_fallback").count() == 2

    def test_alert_raise_without_deduplication_stores_each_one(self):
        for _ in range(2):
            ops.alert_raise(type="security.test", message="m", deduplicate=False)
        assert AdminAlert.objects.filter(type="security.test").count() == 2

    def test_alert_raise_is_logged_too(self, caplog):
        with caplog.at_level(logging.WARNING):
            ops.alert_raise(
                type="webhook.delivery_failed", message="m", resource_type="webhook_delivery", resource_id=3
            )

        assert any(
            "alert_raised" in record.getMessage() and "webhook_delivery:3" in record.getMessage()
            for record in caplog.records
        )

    def test_error_record_creates_an_error_log(self):
        try:
            raise ConnectionError("Redis went away")
        except ConnectionError as exc:
            ops.error_record(exc, source="emails_app.tasks.send_email")

        (error,) = ErrorLog.objects.filter(source="emails_app.tasks.send_email")
        assert (error.error_type, error.message, error.resolved) == ("ConnectionError", "Redis went away", False)
        assert "Traceback" in error.stack_trace

    def test_audit_record_creates_a_log_entry_with_the_action(self):
        user = UserFactory()
        LogEntry.objects.all().delete()

        ops.audit_record(user, action="USER_PASSWORD_RESET", changes={"password": ["***", "***"]})
        ops.audit_record(user, action="USER_EXPORT")

        entries = LogEntry.objects.get_for_object(user).order_by("id")
        assert [action_label(e) for e in entries] == ["USER_PASSWORD_RESET", "USER_EXPORT"]
        assert entries[0].changes == {"password": ["***", "***"]}
        assert entries[1].changes in ({}, None)


class TestWithoutHandlers:
    @pytest.fixture(autouse=True)
    def _no_handlers(self, monkeypatch):
        monkeypatch.setattr(ops, "_handlers", None)

    def test_each_facility_only_logs(self, caplog):
        user = UserFactory()
        LogEntry.objects.all().delete()

        with caplog.at_level(logging.WARNING):
            ops.alert_raise(type="champion.analysis_failed", message="m")
            ops.error_record(RuntimeError("boom"), source="a script")
            ops.audit_record(user, action="USER_EXPORT")

        assert not AdminAlert.objects.exists() and not ErrorLog.objects.exists() and not LogEntry.objects.exists()
        missing = [r.getMessage() for r in caplog.records if "ops_handler_missing" in r.getMessage()]
        assert len(missing) == 3
        assert any("champion.analysis_failed" in m for m in missing)
        assert any("a script" in m for m in missing) and any("USER_EXPORT" in m for m in missing)


def test_a_registered_handler_gets_what_the_caller_said(monkeypatch):
    """The facade's own contract, whoever handles it: plain values, the resource id as text."""
    received = []

    class Recorder:
        def alert(self, alert):
            received.append(("alert", alert))

        def error(self, exc, *, source):
            received.append(("error", exc, source))

        def audit(self, instance, *, action, changes, extra):
            received.append(("audit", instance, action, changes, extra))

    monkeypatch.setattr(ops, "_handlers", None)
    ops.register(Recorder())
    boom = RuntimeError("boom")

    ops.alert_raise(type="t", message="m", severity=ops.AlertSeverity.INFO, resource_type="r", resource_id=5)
    ops.alert_raise(type="t", message="m", resource_id=None)
    ops.error_record(boom, source="s")
    ops.audit_record("instance", action="A")

    assert received == [
        ("alert", ops.Alert(type="t", message="m", severity="info", resource_type="r", resource_id="5")),
        ("alert", ops.Alert(type="t", message="m", resource_id="")),
        ("error", boom, "s"),
        ("audit", "instance", "A", {}, {}),
    ]
