"""Fixtures shared by every app's tests (STYLE.md, "Tests")."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _rate_limit_clock_stands_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-ratelimit counts tries in fixed windows of the wall clock: a test whose 31 tries
    straddle a window's end would see the count start again and no 429. Its clock stands still
    for each test (its only use of the clock is ``time.time()``)."""
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _services_required(request: pytest.FixtureRequest) -> None:
    """A Redis test without REDIS_URL is skipped on a laptop, and fails in CI."""
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        if REQUIRE_SERVICES:
            pytest.fail("REDIS_URL must be set: CI runs the Redis tests against a real server.")
        pytest.skip("needs REDIS_URL (a Redis server)")


@pytest.fixture(autouse=True)
def _celery_in_process(request: pytest.FixtureRequest):
    """Work enqueued by a test (after commit) runs in the test's process, never on the real
    broker where a developer's own worker would run it against their database. Tests that
    start a real worker process (marked ``worker``) use the broker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from champion_clone.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    """Rate-limit counters and uploaded media do not leak from one test to the next; a fast
    hasher keeps user creation cheap (test_password_hashing checks the real Argon2)."""
    cache.clear()
    # Query-count assertions slice the connection's query log, which keeps 9,000 entries at
    # most: a long suite would fill it and make every pinned count read low.
    for alias in connections:
        connections[alias].queries_log.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


def authenticated_client(user) -> APIClient:
    from accounts.tokens import token_pair_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user).access_token}")
    return client


@pytest.fixture
def api_client(user) -> APIClient:
    return authenticated_client(user)


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def eager_celery():
    """Tasks run in-process when enqueued (after commit, as in production)."""
    from champion_clone.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
