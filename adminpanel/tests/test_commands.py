from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import JourneyStage, Plan, User
from adminpanel.management.commands.seed_test_data import DEMO_USERS

pytestmark = pytest.mark.django_db


def test_create_admin_generates_a_policy_compliant_password_printed_once():
    out = StringIO()
    call_command("create_admin", "--email", "Boss@Example.com", "--generate", stdout=out)
    printed = out.getvalue()
    password = printed.split("Password (shown once): ")[1].strip()
    admin = User.objects.get(email="boss@example.com")
    assert admin.is_superuser and admin.is_staff and admin.role == "admin"
    assert admin.check_password(password)
    assert printed.count(password) == 1


def test_create_admin_if_missing_leaves_an_existing_admin_alone():
    call_command("create_admin", "--email", "boss@example.com", "--generate", stdout=StringIO())
    before = User.objects.get(email="boss@example.com").password
    out = StringIO()
    call_command("create_admin", "--email", "boss@example.com", "--generate", "--if-missing", stdout=out)
    assert "already exists" in out.getvalue()
    assert User.objects.get(email="boss@example.com").password == before


def test_create_admin_refuses_a_weak_typed_password(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "weakpass")
    with pytest.raises(CommandError, match="upper-case"):
        call_command("create_admin", "--email", "boss@example.com", stdout=StringIO())
    assert not User.objects.exists()


def test_seed_test_data_is_idempotent_and_covers_plans_and_stages():
    call_command("seed_test_data", stdout=StringIO())
    call_command("seed_test_data", stdout=StringIO())
    assert User.objects.count() == len(DEMO_USERS)
    assert set(User.objects.values_list("subscription_plan", flat=True)) == set(Plan.values)
    assert set(User.objects.values_list("journey_stage", flat=True)) == set(JourneyStage.values)
