"""Fixtures of the accounts tests. The staff fixtures of the admin site are adminpanel's (the
AdminSite, its groups and its staff client live there); accounts' admin tests use them as is."""

from __future__ import annotations

import pytest

from adminpanel.tests.conftest import admin_client, admin_user, administrator, support  # noqa: F401
from core import events


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[events.DomainEvent]:
    """The domain events dispatched during the test (after commit), in order; subscribers are
    not called, so a service test sees what the service published and nothing else."""
    seen: list[events.DomainEvent] = []
    monkeypatch.setattr(events, "dispatch", seen.append)
    return seen
