"""Domain events → lifecycle emails. Attached in ``champion_clone.subscriptions``.

Runs after commit in the publishing process, so it only enqueues a task (by its registered
name, as services do; with the broker down, it sends the email from this process) with the user id, the trigger, the event id (one email per event at
most) and the few whitelisted event fields the email shows (never the stack trace of a
failure).
"""

from __future__ import annotations

import contextlib

from django.conf import settings

from core import events
from core.events import DomainEvent
from core.tasks import enqueue_or_run_here
from emails_app import defaults, services
from emails_app.models import Trigger

SEND_TASK = "emails_app.tasks.send_lifecycle_email"

# An address gets the verification email when it is registered (or asked for again), and the
# welcome once it is verified: never a text an unconfirmed address did not ask for (README.md,
# "Email verification"). Every other email waits for the address to be verified.
TRIGGER_BY_EVENT = {
    events.USER_REGISTERED: defaults.VERIFY_EMAIL,
    events.USER_EMAIL_VERIFICATION_REQUESTED: defaults.VERIFY_EMAIL,
    events.USER_EMAIL_VERIFIED: Trigger.WELCOME,
    events.CHAMPION_ANALYZED: Trigger.CHAMPION_READY,
    events.CHAMPION_FAILED: Trigger.CHAMPION_FAILED,
    events.TRAINING_COMPLETED: Trigger.TRAINING_COMPLETED,
    events.SUBSCRIPTION_CHANGED: Trigger.SUBSCRIPTION_CHANGED,
    events.ASSIGNMENT_CREATED: Trigger.ASSIGNMENT_CREATED,
    events.ASSIGNMENT_DUE_SOON: Trigger.ASSIGNMENT_DUE_SOON,
}
_ASSIGNMENT_FIELDS = (
    "assignment_id",
    "team_name",
    "champion_name",
    "scenario_title",
    "due_at",
    "pass_score",
    "min_attempts",
)
EMAIL_FIELDS = {
    events.USER_REGISTERED: (),
    events.USER_EMAIL_VERIFICATION_REQUESTED: (),
    events.USER_EMAIL_VERIFIED: ("plan",),
    events.CHAMPION_ANALYZED: ("champion_id", "name", "patterns", "scenarios"),
    events.CHAMPION_FAILED: ("champion_id", "name", "error"),
    events.TRAINING_COMPLETED: ("session_id", "champion_id", "champion_name", "overall_score", "outcome"),
    events.SUBSCRIPTION_CHANGED: ("event_type", "from_plan", "to_plan", "from_status", "to_status"),
    events.ASSIGNMENT_CREATED: _ASSIGNMENT_FIELDS,
    events.ASSIGNMENT_DUE_SOON: _ASSIGNMENT_FIELDS,
}
# One email per assignee and assignment, however often its event is published (a sweep that
# runs twice): the key is the assignment, not the event.
_DEDUPE_BY_ASSIGNMENT = {events.ASSIGNMENT_CREATED, events.ASSIGNMENT_DUE_SOON}


def _short(value: object) -> object:
    return value[:1000] if isinstance(value, str) else value


def _dedupe_key(event: DomainEvent) -> str:
    if event.type in _DEDUPE_BY_ASSIGNMENT and event.data.get("assignment_id") is not None:
        return f"assignment:{event.data['assignment_id']}"
    return event.id


def enqueue_lifecycle_email(event: DomainEvent) -> None:
    trigger = TRIGGER_BY_EVENT.get(event.type)
    user_id = event.user_id or event.data.get("user_id")
    if trigger is None or user_id is None:
        return
    message = {
        "user_id": user_id,
        "trigger": trigger,
        "dedupe_key": _dedupe_key(event),
        "event_data": {name: _short(event.data.get(name)) for name in EMAIL_FIELDS[event.type]},
    }
    enqueue_or_run_here(SEND_TASK, lambda: _send_here(message), kwargs=message, queue=settings.EMAIL_QUEUE)


def _send_here(message: dict) -> None:
    """The broker is down: the email is sent from this process, once (its log row is claimed
    first, as the task does); an SMTP failure here is final, and the log says so."""
    # An SMTP failure is recorded on the email's log row as failed.
    with contextlib.suppress(services.TransientEmailError):
        services.lifecycle_email_send(**message, final_attempt=True)
