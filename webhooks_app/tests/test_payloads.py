"""Webhook payloads: whitelisted fields of each event, bounded in size."""

from __future__ import annotations

from core import events
from core.events import DomainEvent
from webhooks_app import payloads
from webhooks_app.tests.factories import FAILED_EVENT


def test_payloads_carry_the_whitelisted_fields_and_never_a_stack_trace():
    payload = payloads.payload_for_event(FAILED_EVENT)
    assert payload["type"] == "champion.failed"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {
        "champion_id": 7,
        "name": "Q3 call",
        "step": "transcribe",
        "error": "The recording has no audio track.",
        "error_type": "UnreadableMedia",
        "user_id": 3,
    }
    assert "Traceback" not in payloads.body_of(payload).decode()


def test_every_event_type_has_a_payload_under_20_kb_even_with_oversized_fields():
    huge = "x" * 100_000
    for event_type in events.EVENT_TYPES:
        data = dict.fromkeys(payloads.DATA_FIELDS[event_type], huge) | {"password": "hunter2", "stack_trace": huge}
        body = payloads.body_of(payloads.payload_for_event(DomainEvent(type=event_type, data=data, user_id=1)))
        assert len(body) < payloads.PAYLOAD_MAX_BYTES
        assert b"hunter2" not in body


def test_every_event_type_can_be_delivered():
    assert set(payloads.DATA_FIELDS) == set(events.EVENT_TYPES)
