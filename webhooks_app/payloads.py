"""The body of each webhook: ``{"type", "timestamp", "data"}`` with the ids and fields a
receiver needs. Fields are whitelisted per event type, so a new key in an event's data (a
stack trace, a token) never leaks into a webhook by accident."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core import events
from core.events import DomainEvent
from webhooks_app.models import TEST_EVENT

PAYLOAD_MAX_BYTES = 20_000
# Longest text kept per field: names, emails and error messages are short in practice; the
# caps keep any payload far below PAYLOAD_MAX_BYTES.
TEXT_LIMITS = {
    "email": 254,
    "full_name": 150,
    "name": 200,
    "champion_name": 200,
    "team_name": 120,
    "scenario_title": 200,
    "error": 1000,
}
# user_id (the member, the assignee: one event per assignee) comes from the event itself.
_TEAM_FIELDS = ("team_id", "team_name", "role")
_ASSIGNMENT_FIELDS = (
    "assignment_id",
    "team_id",
    "team_name",
    "champion_id",
    "champion_name",
    "scenario_title",
    "due_at",  # ISO 8601
    "pass_score",
    "min_attempts",
)
DEFAULT_TEXT_LIMIT = 100

DATA_FIELDS: dict[str, tuple[str, ...]] = {
    events.USER_REGISTERED: ("user_id", "email", "full_name", "plan"),
    events.USER_LOGIN: ("user_id", "email"),
    events.USER_EMAIL_VERIFIED: ("user_id", "email"),
    events.USER_EMAIL_VERIFICATION_REQUESTED: ("user_id",),
    events.SUBSCRIPTION_CHANGED: (
        "user_id",
        "email",
        "event_type",
        "from_plan",
        "to_plan",
        "from_status",
        "to_status",
    ),
    events.CHAMPION_CREATED: ("champion_id", "name", "duration_seconds"),
    events.CHAMPION_ANALYZED: ("champion_id", "name", "patterns", "scenarios", "duration_seconds"),
    # Never the stack trace: it names files and may quote data.
    events.CHAMPION_FAILED: ("champion_id", "name", "step", "error", "error_type"),
    events.TRAINING_COMPLETED: (
        "session_id",
        "champion_id",
        "champion_name",
        "scenario_id",
        "overall_score",
        "outcome",
    ),
    events.TEAM_MEMBER_JOINED: _TEAM_FIELDS,
    events.TEAM_MEMBER_REMOVED: _TEAM_FIELDS,
    events.ASSIGNMENT_CREATED: _ASSIGNMENT_FIELDS,
    events.ASSIGNMENT_DUE_SOON: _ASSIGNMENT_FIELDS,
    events.ASSIGNMENT_PASSED: (*_ASSIGNMENT_FIELDS, "best_score"),
    events.ASSIGNMENT_OVERDUE: _ASSIGNMENT_FIELDS,
}


class PayloadTooLarge(ValueError):
    pass


def _clean(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return value[: TEXT_LIMITS.get(name, DEFAULT_TEXT_LIMIT)]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:DEFAULT_TEXT_LIMIT]


def iso_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload_for_event(event: DomainEvent) -> dict[str, Any]:
    fields = DATA_FIELDS[event.type]
    data = {name: _clean(name, event.data.get(name)) for name in fields}
    if event.user_id is not None:
        data.setdefault("user_id", event.user_id)
    payload = {"type": event.type, "timestamp": iso_timestamp(event.occurred_at), "data": data}
    body_of(payload)  # refuses an oversized payload here rather than at every attempt
    return payload


def payload_for_test(*, endpoint_id: int, moment: datetime) -> dict[str, Any]:
    return {
        "type": TEST_EVENT,
        "timestamp": iso_timestamp(moment),
        "data": {"endpoint_id": endpoint_id, "message": "A test event from Champion Clone."},
    }


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed. Keys sorted so that the body is the same on every
    attempt whatever the database did to the JSON (PostgreSQL's jsonb reorders keys)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if len(body) > PAYLOAD_MAX_BYTES:
        raise PayloadTooLarge(f"the payload is {len(body)} bytes; the limit is {PAYLOAD_MAX_BYTES}")
    return body
