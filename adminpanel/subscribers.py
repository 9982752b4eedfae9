"""Operations' listeners: the activity log, the journey funnel, and error records for
pipeline failures and for any unhandled exception in a request or a Celery task."""

from __future__ import annotations

from typing import Any

import structlog
from celery.signals import task_failure
from django.core.signals import got_request_exception
from django.http import HttpRequest

from accounts import services as account_services
from accounts.models import JourneyStage
from adminpanel import services
from core import events, outage
from core.events import DomainEvent

logger = structlog.get_logger(__name__)

# Which event moves a user to which funnel stage (the report's journey).
JOURNEY_STAGE_BY_EVENT = {
    events.CHAMPION_CREATED: JourneyStage.FIRST_CHAMPION,
    events.CHAMPION_ANALYZED: JourneyStage.FIRST_ANALYSIS,
    events.TRAINING_COMPLETED: JourneyStage.FIRST_TRAINING,
    # A rep who passed practice their manager assigned trains for real (README.md, "Teams").
    events.ASSIGNMENT_PASSED: JourneyStage.ACTIVE_TRAINEE,
}
# Events about a user that someone else caused (a manager assigned or removed them, the due
# date came): logged under that user, but no sign that they were active. Counting them would
# hide an idle rep from the inactive reminder and from churn risk.
NOT_BY_THEIR_USER = frozenset(
    {events.ASSIGNMENT_CREATED, events.ASSIGNMENT_DUE_SOON, events.ASSIGNMENT_OVERDUE, events.TEAM_MEMBER_REMOVED}
)


def record_activity(event: DomainEvent) -> None:
    services.activity_record(
        action=event.type,
        user_id=event.user_id,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        metadata=event.data,
        ip_address=event.ip_address,
    )
    if event.user_id is not None and event.type not in NOT_BY_THEIR_USER:
        account_services.user_touch_activity(user_id=event.user_id)


def advance_journey_stage(event: DomainEvent) -> None:
    stage = JOURNEY_STAGE_BY_EVENT.get(event.type)
    if stage and event.user_id is not None:
        account_services.user_advance_journey(user_id=event.user_id, stage=stage)


def record_champion_failure(event: DomainEvent) -> None:
    services.error_record(
        error_type=event.data.get("error_type", "ChampionAnalysisFailed"),
        message=event.data.get("error", "The analysis failed."),
        stack_trace=event.data.get("stack_trace", ""),
        user_id=event.user_id,
        source=f"champion pipeline: {event.data.get('step', '')}".strip(": "),
    )


def _on_request_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    import sys

    exc = sys.exc_info()[1]
    if exc is None:
        return
    if outage.is_database_unavailable(exc):
        # The ErrorLog is in that database; handler500 answers 503 and logs the outage.
        return
    user = getattr(request, "user", None)
    try:
        services.error_record_exception(
            exc,
            user_id=user.pk if user is not None and user.is_authenticated else None,
            request_path=request.path if request is not None else "",
        )
    except Exception as write_error:
        # Recording must never hide the original error; it is still in the logs.
        _log_write_failure(write_error)


def _on_task_failure(
    sender: Any = None, task_id: str | None = None, exception: BaseException | None = None, **kwargs: Any
) -> None:
    if exception is None:
        return
    if outage.is_database_unavailable(exception):
        outage.database_outage_warning(exception, task=getattr(sender, "name", str(sender)), task_id=task_id)
        return
    try:
        services.error_record_exception(exception, source=f"celery task {getattr(sender, 'name', sender)} ({task_id})")
    except Exception as write_error:
        _log_write_failure(write_error)


def _log_write_failure(write_error: Exception) -> None:
    if outage.is_database_unavailable(write_error):
        outage.database_outage_warning(write_error, while_recording="error")
    else:
        logger.exception("error_log_write_failed")


def connect_failure_signals() -> None:
    got_request_exception.connect(_on_request_exception, dispatch_uid="adminpanel.request_exception")
    task_failure.connect(_on_task_failure, dispatch_uid="adminpanel.task_failure", weak=False)
