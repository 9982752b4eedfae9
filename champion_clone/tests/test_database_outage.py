"""PostgreSQL restarting, as the request stack sees it: every query raises what psycopg raises
through Django when the server is gone (OperationalError on a refused or broken connection,
InterfaceError on one already closed), injected at the database layer with
``connection.execute_wrapper`` so that it runs on SQLite too. ``chaos/restart_postgres.py``
does it for real against the machine's PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from adminpanel.models import ErrorLog
from core import outage

pytestmark = pytest.mark.django_db

OUTAGE_ERRORS = [
    OperationalError("connection failed: connection to server at 127.0.0.1, port 5432 failed: Connection refused"),
    InterfaceError("the connection is closed"),
]
OUTAGE_BODY = {
    "detail": "The database is briefly unavailable. Try again in a moment.",
    "code": "database_unavailable",
    "fields": {},
}


class DatabaseDown:
    """Every query raises ``error``; counts what was attempted, so a test can tell that
    nobody tried to write the ErrorLog into the database that is down."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        raise self.error

    def attempted_errorlog_writes(self) -> int:
        return sum(1 for sql in self.statements if "adminpanel_errorlog" in sql and sql.lstrip().startswith("INSERT"))


@contextmanager
def database_down(error: Exception) -> Iterator[DatabaseDown]:
    down = DatabaseDown(error)
    with connection.execute_wrapper(down):
        yield down


@pytest.fixture(autouse=True)
def _fresh_outage_warning(monkeypatch):
    monkeypatch.setattr(
        outage, "database_outage_warning", outage._ThrottledWarning("database_unavailable", interval=60)
    )


def no_stack_trace_logged(caplog) -> bool:
    """Each 503 gets its one access-log line (Django's, django-structlog's); no record carries
    a stack trace, and none says the ErrorLog could not be written."""
    return not [r for r in caplog.records if r.exc_info or "error_log_write_failed" in r.getMessage()]


def assert_outage_answer(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(outage.DATABASE_RETRY_AFTER_SECONDS)
    assert response.json() == OUTAGE_BODY


@pytest.mark.parametrize("error", OUTAGE_ERRORS, ids=["operational", "interface"])
def test_an_api_request_during_the_outage_is_a_503_with_retry_after_and_no_error_log(api_client, error, caplog):
    with caplog.at_level(logging.INFO), database_down(error) as down:
        response = api_client.get("/champions")

    assert_outage_answer(response)
    assert down.statements, "the request reached the database"
    assert down.attempted_errorlog_writes() == 0
    assert not ErrorLog.objects.exists()
    assert no_stack_trace_logged(caplog)


def test_it_recovers_by_itself_once_the_database_is_back(api_client):
    with database_down(OUTAGE_ERRORS[0]):
        assert api_client.get("/champions").status_code == 503

    response = api_client.get("/champions")

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_write_during_the_outage_is_a_503_too(anon_client):
    with database_down(OUTAGE_ERRORS[0]):
        response = anon_client.post(
            "/auth/login", {"email": "rep@example.com", "password": "Passw0rd!x"}, format="json"
        )

    assert_outage_answer(response)


def test_the_outage_is_logged_once_per_interval_not_once_per_request(api_client, caplog):
    with caplog.at_level(logging.WARNING), database_down(OUTAGE_ERRORS[0]):
        statuses = [api_client.get("/champions").status_code for _ in range(5)]

    assert statuses == [503] * 5
    warnings = [r.getMessage() for r in caplog.records if "database_unavailable" in r.getMessage()]
    assert len(warnings) == 1 and "Connection refused" in warnings[0]
    assert outage.database_outage_warning.suppressed == 4


@pytest.mark.parametrize("error", OUTAGE_ERRORS, ids=["operational", "interface"])
def test_the_admin_during_the_outage_is_a_503_and_no_stack_trace_is_logged(admin_user, error, caplog):
    """The staff session is read by a middleware, outside any view: Django's last-resort
    handler answers, after the request-exception signal, whose ErrorLog write is skipped."""
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    with caplog.at_level(logging.INFO), database_down(error) as down:
        response = client.get("/django-admin/")

    assert_outage_answer(response)
    assert down.attempted_errorlog_writes() == 0
    assert no_stack_trace_logged(caplog)
    assert client.get("/django-admin/").status_code == 200


def test_health_says_the_database_is_down_with_503(anon_client, settings):
    settings.HEALTH_CHECKS = {key: settings.HEALTH_CHECKS[key] for key in ("database", "cache")}
    settings.HEALTH_TOKEN = "monitor-token-0123456789"

    with database_down(OUTAGE_ERRORS[0]):
        anonymous = anon_client.get("/health")
        monitor = anon_client.get("/health", HTTP_AUTHORIZATION="Bearer monitor-token-0123456789")

    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "degraded"})
    assert monitor.status_code == 503
    assert monitor.json()["down"] == ["database"]
    assert monitor.json()["checks"]["database"]["error"].startswith("OperationalError: connection failed")
    assert monitor.json()["checks"]["cache"]["status"] == "up"
    assert anon_client.get("/health").status_code == 200


def test_health_with_a_staff_session_cookie_is_the_outage_answer(admin_user):
    """The session (who is staff) is in the database that is down; the request-logging
    middleware reads it before any view runs."""
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    with database_down(OUTAGE_ERRORS[0]):
        response = client.get("/health")

    assert_outage_answer(response)


def test_a_task_that_failed_on_the_outage_does_not_write_the_error_log(caplog):
    from celery.signals import task_failure

    from champion_clone.celery import app

    task = app.tasks["webhooks_app.tasks.deliver"]
    with caplog.at_level(logging.INFO), database_down(OUTAGE_ERRORS[0]) as down:
        task_failure.send(sender=task, task_id="t-1", exception=OUTAGE_ERRORS[0])

    assert down.attempted_errorlog_writes() == 0
    assert no_stack_trace_logged(caplog)
    assert any("database_unavailable" in r.getMessage() and "t-1" in r.getMessage() for r in caplog.records)


def test_an_error_wrapping_a_database_error_counts_but_one_raised_while_handling_it_does_not():
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError as cause:
        wrapped = RuntimeError("rendering failed")
        wrapped.__cause__ = cause
        unrelated = KeyError("a bug in an except block")
        unrelated.__context__ = cause

    assert outage.is_database_unavailable(wrapped)
    assert not outage.is_database_unavailable(unrelated)
    assert not outage.is_database_unavailable(None)
