"""adminpanel's handlers of ``core.ops``: what each facility leaves in the operations tables,
and that they are the ones the project registers at start-up."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from adminpanel.audit import action_label
from adminpanel.models import AdminAlert, ErrorLog
from adminpanel.ops_handlers import AdminPanelOpsHandlers
from adminpanel.tests.factories import ErrorLogFactory
from core import ops

pytestmark = pytest.mark.django_db

handlers = AdminPanelOpsHandlers()


def test_they_are_the_handlers_registered_at_start_up():
    assert isinstance(ops._handlers, AdminPanelOpsHandlers)


def test_an_alert_is_stored_with_every_field_it_carries():
    handlers.alert(
        ops.Alert(
            type="champion.analysis_failed",
            message="The transcription vendor refused the key.",
            severity=ops.AlertSeverity.CRITICAL,
            resource_type="champion",
            resource_id="12",
        )
    )

    stored = AdminAlert.objects.get(type="champion.analysis_failed")
    assert (stored.severity, stored.message, stored.resource_type, stored.resource_id) == (
        "critical",
        "The transcription vendor refused the key.",
        "champion",
        "12",
    )


@pytest.mark.parametrize(("deduplicate", "stored"), [(True, 1), (False, 2)])
def test_the_alerts_deduplicate_flag_is_honoured(deduplicate, stored):
    alert = ops.Alert(type="training.speech_failed", message="m", resource_type="vendor", deduplicate=deduplicate)

    handlers.alert(alert)
    handlers.alert(alert)

    assert AdminAlert.objects.filter(type="training.speech_failed").count() == stored


def test_an_error_is_recorded_with_its_source_and_traceback():
    try:
        raise ValueError("no speech in the recording")
    except ValueError as exc:
        handlers.error(exc, source="champions.pipeline.transcribe")

    stored = ErrorLog.objects.get(source="champions.pipeline.transcribe")
    assert (stored.error_type, stored.message) == ("ValueError", "no speech in the recording")
    assert "Traceback" in stored.stack_trace


def test_an_audit_entry_carries_the_action_the_changes_and_the_extra_data():
    error = ErrorLogFactory()

    handlers.audit(error, action="ERROR_REOPEN", changes={"resolved": ["True", "False"]}, extra={"reason": "again"})

    (entry,) = LogEntry.objects.get_for_object(error)
    assert action_label(entry) == "ERROR_REOPEN"
    assert entry.changes == {"resolved": ["True", "False"]}
    assert entry.additional_data["reason"] == "again"
