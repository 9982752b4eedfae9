from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks_app import services
from webhooks_app.testing import WebhookReceiver


@pytest.fixture(autouse=True)
def _routes_and_settings(settings):
    # Events published by these tests also reach the email subscriber, whose links need
    # the email routes.
    settings.ROOT_URLCONF = "emails_app.tests.urls"
    settings.WEBHOOK_ALLOWED_NETWORKS = []


@pytest.fixture
def allow_loopback(settings):
    """The tests' receiver listens on 127.0.0.1, which webhooks refuse unless allowed."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def endpoint(db, allow_loopback, receiver):
    return services.endpoint_create(name="CRM", url=receiver.url())


class Clock:
    """A controlled clock: services take ``now``; this hands out and advances it."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(microsecond=0)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()
