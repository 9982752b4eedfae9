"""``core.tasks``: services start work by the task's registered name, after commit."""

from __future__ import annotations

import pytest
from celery import shared_task
from celery.exceptions import NotRegistered
from django.db import transaction

from core.tasks import enqueue, enqueue_on_commit

pytestmark = pytest.mark.django_db

ran: list[tuple] = []


@shared_task(name="core.tests.test_tasks.remember")
def remember(*args: object) -> None:
    ran.append(args)


@pytest.fixture(autouse=True)
def _forget():
    ran.clear()
    yield
    ran.clear()


def test_enqueue_on_commit_sends_nothing_until_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_on_commit("core.tests.test_tasks.remember", 7, "run-1")
        assert ran == []

    assert len(callbacks) == 1 and ran == []
    callbacks[0]()
    assert ran == [(7, "run-1")]


def test_work_enqueued_in_a_transaction_that_rolls_back_is_never_sent(django_capture_on_commit_callbacks):
    def service_failing_after_asking_for_work() -> None:
        with transaction.atomic():
            enqueue_on_commit("core.tests.test_tasks.remember", 7)
            raise RuntimeError("the service failed after asking for the work")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        service_failing_after_asking_for_work()

    assert callbacks == [] and ran == []


def test_enqueue_runs_the_task_found_by_its_registered_name():
    enqueue("core.tests.test_tasks.remember", 1, 2)  # eager in the tests: it runs here and now

    assert ran == [(1, 2)]


def test_a_task_name_nobody_registered_fails_loudly_at_once():
    with pytest.raises(NotRegistered):
        enqueue("core.tests.test_tasks.no_such_task", 1)
