"""Fixtures of the training tests: the staff fixtures of the admin site (adminpanel's) and the
recorder of dispatched domain events (accounts' tests define it)."""

from __future__ import annotations

from accounts.tests.conftest import dispatched  # noqa: F401
from adminpanel.tests.conftest import admin_client, admin_user, support  # noqa: F401
