"""Tokens that must stop working: after any password change, and whatever claims a validly
signed token carries."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import jwt
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_pair_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Str0ng!pass"


def bearer(access_token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return client


def assert_session_dead(pair) -> None:
    assert bearer(pair.access_token).get("/auth/me").status_code == 401
    response = APIClient().post("/auth/refresh", {"refresh_token": pair.refresh_token}, format="json")
    assert response.status_code == 401


def test_tokens_work_while_the_password_is_unchanged(user):
    pair = token_pair_for(user)
    assert bearer(pair.access_token).get("/auth/me").status_code == 200
    response = APIClient().post("/auth/refresh", {"refresh_token": pair.refresh_token}, format="json")
    assert response.status_code == 200


def test_set_password_kills_earlier_access_and_refresh_tokens(user):
    pair = token_pair_for(user)
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["password"])
    assert_session_dead(pair)
    # A token issued after the change works.
    assert bearer(token_pair_for(user).access_token).get("/auth/me").status_code == 200


def test_changepassword_command_kills_earlier_tokens(user, monkeypatch):
    pair = token_pair_for(user)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", user.email, stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert_session_dead(pair)


def test_create_admin_generate_on_an_existing_account_kills_earlier_tokens(user):
    pair = token_pair_for(user)
    call_command("create_admin", "--email", user.email, "--generate", stdout=StringIO())
    assert_session_dead(pair)


def test_logging_in_again_after_a_reset_works(user, anon_client):
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["password"])
    response = anon_client.post("/auth/login", {"email": user.email, "password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200
    assert bearer(response.json()["access_token"]).get("/auth/me").status_code == 200


def forged(user: User, *, token_type: str = "access", **claims) -> str:
    """A token signed with the real key (what a leaked key or a bug would produce)."""
    now = timezone.now()
    payload = {
        "token_type": token_type,
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "iat": int(now.timestamp()),
        "jti": "forged-" + token_type,
        "user_id": user.pk,
        **claims,
    }
    return jwt.encode(payload, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"user_id": [1]},
        {"user_id": {"id": 1}},
        {"user_id": 1.5},
        {"user_id": True},
        {"user_id": "1 OR 1=1"},
        {"user_id": "9" * 40},
        {"exp": 1e20},
        {"exp": 10**30},
    ],
    ids=["list", "dict", "float", "bool", "sql", "huge-id", "exp-1e20", "exp-10e30"],
)
def test_a_signed_token_with_odd_claims_is_401_not_500(user, claims):
    me = bearer(forged(user, **claims)).get("/auth/me")
    assert me.status_code == 401, me.content
    assert set(me.json()) == {"detail", "code", "fields"}
    refresh = APIClient().post(
        "/auth/refresh", {"refresh_token": forged(user, token_type="refresh", **claims)}, format="json"
    )
    assert refresh.status_code == 401, refresh.content
