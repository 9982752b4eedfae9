"""Domain events (README.md, "Architecture").

Services publish an event when something happened; it is dispatched after the surrounding
transaction commits, so subscribers never see a change that was rolled back. Subscribers are
registered in one place (``champion_clone.subscriptions``): business logic does not know who
listens.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from core import request_context

logger = structlog.get_logger(__name__)

USER_REGISTERED = "user.registered"
USER_LOGIN = "user.login"
# The user opened the signed link of the verification email (the welcome follows), and asked
# for another such email (README.md, "Email verification").
USER_EMAIL_VERIFIED = "user.email_verified"
USER_EMAIL_VERIFICATION_REQUESTED = "user.email_verification_requested"
SUBSCRIPTION_CHANGED = "subscription.changed"
CHAMPION_CREATED = "champion.created"
CHAMPION_ANALYZED = "champion.analyzed"
CHAMPION_FAILED = "champion.failed"
TRAINING_COMPLETED = "training.completed"
# Teams (README.md, "Teams"): a member joined by accepting an invitation, or was removed; an
# assignment was given, is due within a day (the reminder), was passed by its assignee, or its
# due date went by unpassed. One event per assignee: its user is the assignee.
TEAM_MEMBER_JOINED = "team.member_joined"
TEAM_MEMBER_REMOVED = "team.member_removed"
ASSIGNMENT_CREATED = "assignment.created"
ASSIGNMENT_DUE_SOON = "assignment.due_soon"
ASSIGNMENT_PASSED = "assignment.passed"
ASSIGNMENT_OVERDUE = "assignment.overdue"

EVENT_TYPES = (
    USER_REGISTERED,
    USER_LOGIN,
    USER_EMAIL_VERIFIED,
    USER_EMAIL_VERIFICATION_REQUESTED,
    SUBSCRIPTION_CHANGED,
    CHAMPION_CREATED,
    CHAMPION_ANALYZED,
    CHAMPION_FAILED,
    TRAINING_COMPLETED,
    TEAM_MEMBER_JOINED,
    TEAM_MEMBER_REMOVED,
    ASSIGNMENT_CREATED,
    ASSIGNMENT_DUE_SOON,
    ASSIGNMENT_PASSED,
    ASSIGNMENT_OVERDUE,
)
ALL_EVENTS = "*"


@dataclass(frozen=True)
class DomainEvent:
    type: str
    data: dict[str, Any]
    user_id: int | None = None
    # What the event is about, for the activity log: ("champion", 42).
    resource_type: str = ""
    resource_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: datetime = field(default_factory=timezone.now)


Subscriber = Callable[[DomainEvent], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(event_type: str, subscriber: Subscriber) -> None:
    if event_type != ALL_EVENTS and event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    if subscriber not in _subscribers[event_type]:
        _subscribers[event_type].append(subscriber)


def publish(
    event_type: str,
    *,
    data: dict[str, Any],
    user_id: int | None = None,
    resource_type: str = "",
    resource_id: object = "",
) -> DomainEvent:
    """Builds the event now (with the caller's IP) and dispatches it after commit."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    context = request_context.current()
    event = DomainEvent(
        type=event_type,
        data=data,
        user_id=user_id,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id not in (None, "") else "",
        ip_address=context.ip_address,
        user_agent=context.user_agent,
    )
    transaction.on_commit(lambda: dispatch(event))
    return event


def dispatch(event: DomainEvent) -> None:
    for subscriber in [*_subscribers[event.type], *_subscribers[ALL_EVENTS]]:
        try:
            subscriber(event)
        except Exception:
            # One failing listener (say, an email queue that is down) must not undo or
            # block the user's action, which is already committed, nor the other listeners.
            logger.exception("event_subscriber_failed", event_type=event.type, subscriber=subscriber.__qualname__)
