"""Rate limits while their cache (Redis) cannot be reached: no 500 (README.md, "Faults"). The
cache is a real Redis client pointed at a port where nothing listens."""

from __future__ import annotations

import socket

import pytest
from django.test import override_settings

from core.api import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_cache(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    settings.RATELIMIT_ENABLE = True
    unreachable = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    # Undone before the suite's own fixture clears the cache.
    with override_settings(CACHES={"default": unreachable}):
        yield


def test_a_limit_that_guards_credentials_fails_closed_with_retry_after(unreachable_cache, anon_client):
    answer = anon_client.post("/auth/login", {"email": "rep@example.com", "password": "Whatever-1"}, format="json")
    assert answer.status_code == 429
    assert answer["Retry-After"] == str(ratelimit.RETRY_AFTER_WITHOUT_CACHE)
    assert answer.json()["code"] == "rate_limited"


def test_the_other_limits_fail_open(unreachable_cache, api_client):
    # The training limit lets the request through to its own validation.
    answer = api_client.post("/training/start", {"champion_id": 999999}, format="json")
    assert answer.status_code not in (429, 500)
    assert "rate_limit" not in answer.json().get("code", "")


def test_every_credential_limit_is_a_configured_limit(settings):
    assert ratelimit.FAIL_CLOSED_WITHOUT_CACHE.issubset(settings.RATE_LIMITS)
