"""Failed logins and lock-outs on /metrics (README.md, "Monitoring"), at both doors: the API's
login and the staff admin's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tests.factories import UserFactory
from core.testing.metrics import recorded

pytestmark = pytest.mark.django_db

FAILURES = "champion_clone_login_failures_total"
LOCKOUTS = "champion_clone_login_lockouts_total"
WRONG = "Wr0ng-password!"


def test_api_login_failures_and_the_lock_out_after_them_are_counted(user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures_per_account": "3/h"}
    failures, lockouts = recorded(FAILURES, door="api"), recorded(LOCKOUTS, door="api")
    client = APIClient()
    for _ in range(3):
        assert client.post("/auth/login", {"email": user.email, "password": WRONG}).status_code == 401
    assert client.post("/auth/login", {"email": user.email, "password": WRONG}).status_code == 429

    assert recorded(FAILURES, door="api") - failures == 3
    assert recorded(LOCKOUTS, door="api") - lockouts == 1


def test_admin_login_failures_and_the_lock_out_are_counted_at_the_admin_door(settings):
    staff = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    failures, lockouts = recorded(FAILURES, door="admin"), recorded(LOCKOUTS, door="admin")
    api_failures = recorded(FAILURES, door="api")
    client = Client()
    for _ in range(settings.ADMIN_LOGIN_MAX_FAILURES + 1):
        client.post(reverse("admin:login"), {"username": staff.email, "password": WRONG})

    assert recorded(FAILURES, door="admin") - failures == settings.ADMIN_LOGIN_MAX_FAILURES
    assert recorded(LOCKOUTS, door="admin") - lockouts == 1
    assert recorded(FAILURES, door="api") == api_failures  # nothing at the other door
