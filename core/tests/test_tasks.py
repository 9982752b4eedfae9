"""``core.tasks``: services start work by the task's registered name, after commit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from celery import shared_task
from celery.exceptions import NotRegistered
from django.conf import settings
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


def test_a_web_process_finds_a_task_whose_module_it_never_imported():
    """Services import no task module, so the first lookup in a process that is not a worker
    (a web server) must find the task all the same."""
    script = (
        "import sys, django; django.setup()\n"
        "from core.tasks import registered_task\n"
        "print('imported before:', 'champions.tasks' in sys.modules)\n"
        "print('found:', registered_task('champions.tasks.start_analysis').name)\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "champion_clone.settings", "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-2:] == ["imported before: False", "found: champions.tasks.start_analysis"]
