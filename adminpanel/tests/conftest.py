from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import UserFactory
from adminpanel.permissions import ADMINISTRATORS, SUPPORT

STAFF_UA = "Mozilla/5.0 (StaffTest)"


def staff_client(group: str | None, *, superuser: bool = False) -> tuple[Client, object]:
    staff = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=superuser)
    if group:
        staff.groups.add(Group.objects.get(name=group))
    client = Client(HTTP_USER_AGENT=STAFF_UA, REMOTE_ADDR="192.0.2.10")
    client.force_login(staff)
    return client, staff


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user):
    client = Client(HTTP_USER_AGENT=STAFF_UA, REMOTE_ADDR="192.0.2.10")
    client.force_login(admin_user)
    return client


@pytest.fixture
def support(db):
    return staff_client(SUPPORT)


@pytest.fixture
def administrator(db):
    return staff_client(ADMINISTRATORS)
