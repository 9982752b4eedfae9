from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from adminpanel.models import ActivityLog
from conftest import authenticated_client

pytestmark = pytest.mark.django_db

STRONG = "Corr3ct-Horse!battery"


def register(client: APIClient, **overrides: str):
    body = {"email": "new.rep@example.com", "password": STRONG, "full_name": "New Rep", **overrides}
    return client.post("/auth/register", body, format="json")


def login(client: APIClient, email: str, password: str = DEFAULT_PASSWORD, **extra: str):
    return client.post("/auth/login", {"email": email, "password": password}, format="json", **extra)


def assert_error_shape(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert isinstance(body["detail"], str) and body["detail"]
    return body


class TestRegister:
    def test_register_returns_201_with_token_pair_and_user(self, anon_client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = register(anon_client)
        assert response.status_code == 201
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 15 * 60
        assert body["access_token"] and body["refresh_token"]
        assert body["user"]["email"] == "new.rep@example.com"
        assert body["user"]["journey_stage"] == "registered"
        assert "password" not in body["user"]
        user = User.objects.get(email="new.rep@example.com")
        assert user.check_password(STRONG)
        assert list(ActivityLog.objects.filter(user=user).values_list("action", flat=True).order_by("id")) == [
            "user.registered",
            "user.login",
        ]

    @pytest.mark.parametrize(
        ("password", "missing"),
        [
            ("alllowercase1!", "an upper-case letter"),
            ("ALLUPPERCASE1!", "a lower-case letter"),
            ("NoDigitsHere!!", "a digit"),
            ("NoSpecial123ab", "a special character"),
        ],
    )
    def test_weak_password_is_400_naming_the_rule(self, anon_client, password, missing):
        body = assert_error_shape(register(anon_client, password=password), 400)
        assert any(missing in message for message in body["fields"]["password"])
        assert not User.objects.exists()

    def test_short_and_common_passwords_are_refused(self, anon_client):
        assert "at least 8" in " ".join(
            assert_error_shape(register(anon_client, password="Ab1!"), 400)["fields"]["password"]
        )
        assert "too common" in " ".join(
            assert_error_shape(register(anon_client, password="Password1!"), 400)["fields"]["password"]
        )

    def test_duplicate_email_is_400_case_insensitively(self, anon_client):
        UserFactory(email="taken@example.com")
        body = assert_error_shape(register(anon_client, email="Taken@Example.com"), 400)
        assert "email" in body["fields"]
        assert User.objects.filter(email="taken@example.com").count() == 1

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"email": "not-an-email", "password": STRONG, "full_name": "x"},
            {"email": ["a"], "password": 3, "full_name": None},
        ],
    )
    def test_malformed_bodies_are_400_in_the_error_shape(self, anon_client, payload):
        assert_error_shape(anon_client.post("/auth/register", payload, format="json"), 400)

    def test_unparseable_json_is_400(self, anon_client):
        response = anon_client.post("/auth/register", data="{not json", content_type="application/json")
        assert_error_shape(response, 400)

    def test_sixth_registration_in_an_hour_from_one_ip_is_429(self, anon_client):
        for n in range(5):
            assert register(anon_client, email=f"r{n}@example.com").status_code == 201
        response = register(anon_client, email="r6@example.com")
        assert_error_shape(response, 429)
        assert 0 < int(response["Retry-After"]) <= 3600

    @override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
    def test_password_is_hashed_with_argon2(self, anon_client):
        register(anon_client)
        assert User.objects.get().password.startswith("argon2$")


class TestLogin:
    def test_login_returns_pair_and_records_the_login(self, anon_client, user, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = login(anon_client, user.email.upper())
        assert response.status_code == 200
        assert response.json()["user"]["id"] == user.pk
        user.refresh_from_db()
        assert user.login_count == 1
        assert user.last_login_at is not None and user.last_activity_at is not None
        assert ActivityLog.objects.filter(user=user, action="user.login").count() == 1

    def test_wrong_password_and_unknown_email_get_the_same_401(self, anon_client, user):
        wrong = login(anon_client, user.email, "Wr0ng-password!")
        unknown = login(anon_client, "nobody@example.com")
        assert_error_shape(wrong, 401)
        assert wrong.json() == unknown.json()

    def test_inactive_user_cannot_log_in(self, anon_client, user):
        user.is_active = False
        user.save()
        assert login(anon_client, user.email).json() == login(anon_client, "nobody@example.com").json()

    def test_eleventh_login_in_a_minute_is_429_with_retry_after(self, anon_client, user):
        for _ in range(10):
            assert login(anon_client, user.email).status_code == 200
        response = login(anon_client, user.email)
        assert_error_shape(response, 429)
        assert 0 < int(response["Retry-After"]) <= 60

    def test_login_limit_is_per_client_ip(self, user):
        client = APIClient()
        for _ in range(10):
            login(client, user.email, REMOTE_ADDR="10.0.0.1")
        assert login(client, user.email, REMOTE_ADDR="10.0.0.1").status_code == 429
        assert login(client, user.email, REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_forwarded_header_is_ignored_unless_trusted(self, user, settings):
        client = APIClient()
        for n in range(10):
            login(client, user.email, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
        # Same REMOTE_ADDR: spoofed X-Forwarded-For does not buy more attempts.
        assert login(client, user.email, HTTP_X_FORWARDED_FOR="9.9.9.9").status_code == 429
        settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
        assert login(client, user.email, HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1").status_code == 200

    def test_hundred_failures_lock_the_account_for_the_hour(self, user, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1000/m"}
        client = APIClient()
        for n in range(100):
            assert (
                login(client, user.email, "Wr0ng-password!", REMOTE_ADDR=f"10.1.{n // 250}.{n % 250}").status_code
                == 401
            )
        response = login(client, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.9.9.9")
        assert_error_shape(response, 429)

    def test_login_query_count_is_pinned(self, anon_client, user, django_assert_num_queries):
        # user lookup, login stats update, outstanding refresh token insert (+ savepoints)
        with django_assert_num_queries(5):
            assert login(anon_client, user.email).status_code == 200


class TestMe:
    def test_me_returns_the_profile(self, api_client, user):
        response = api_client.get("/auth/me")
        assert response.status_code == 200
        assert response.json()["email"] == user.email

    def test_me_without_token_is_401(self, anon_client):
        assert_error_shape(anon_client.get("/auth/me"), 401)

    def test_me_with_garbage_token_is_401(self, anon_client):
        anon_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
        assert_error_shape(anon_client.get("/auth/me"), 401)

    def test_me_query_count_is_pinned(self, api_client, django_assert_num_queries):
        with django_assert_num_queries(1):
            assert api_client.get("/auth/me").status_code == 200

    def test_deactivated_user_tokens_are_refused(self, api_client, user):
        user.is_active = False
        user.save()
        assert_error_shape(api_client.get("/auth/me"), 401)


class TestRefreshAndLogout:
    def tokens(self, client: APIClient, user) -> dict:
        return login(client, user.email).json()

    def test_refresh_rotates_and_old_token_is_401(self, anon_client, user):
        pair = self.tokens(anon_client, user)
        response = anon_client.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
        assert response.status_code == 200
        new_pair = response.json()
        assert new_pair["refresh_token"] != pair["refresh_token"]
        assert new_pair["user"]["id"] == user.pk
        reused = anon_client.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
        assert_error_shape(reused, 401)
        again = anon_client.post("/auth/refresh/", {"refresh_token": new_pair["refresh_token"]}, format="json")
        assert again.status_code == 200

    @pytest.mark.parametrize("header", ["expired", "Bearer not.a.token", "Bearer"])
    def test_credentials_endpoints_ignore_a_stale_authorization_header(self, anon_client, user, header):
        pair = self.tokens(anon_client, user)
        if header == "expired":
            expired = AccessToken.for_user(user)
            expired.set_exp(lifetime=-timedelta(minutes=1))
            header = f"Bearer {expired}"
        anon_client.credentials(HTTP_AUTHORIZATION=header)

        refreshed = anon_client.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
        logged_in = login(anon_client, user.email)
        registered = anon_client.post(
            "/auth/register",
            {"email": "new-rep@example.com", "password": "Str0ng!Passw0rd", "full_name": "New Rep"},
            format="json",
        )

        assert (refreshed.status_code, logged_in.status_code, registered.status_code) == (200, 200, 201)

    def test_refresh_with_an_access_token_is_401(self, anon_client, user):
        pair = self.tokens(anon_client, user)
        assert_error_shape(
            anon_client.post("/auth/refresh", {"refresh_token": pair["access_token"]}, format="json"), 401
        )

    def test_logout_revokes_the_refresh_token(self, anon_client, user):
        pair = self.tokens(anon_client, user)
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
        assert (
            anon_client.post("/auth/logout", {"refresh_token": pair["refresh_token"]}, format="json").status_code == 204
        )
        anon_client.credentials()
        assert_error_shape(
            anon_client.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"), 401
        )

    def test_logout_cannot_revoke_another_users_token(self, anon_client, user, other_user):
        theirs = self.tokens(APIClient(), other_user)
        client = authenticated_client(user)
        assert_error_shape(client.post("/auth/logout", {"refresh_token": theirs["refresh_token"]}, format="json"), 401)
        assert (
            APIClient().post("/auth/refresh", {"refresh_token": theirs["refresh_token"]}, format="json").status_code
            == 200
        )

    def test_logout_all_kills_access_tokens_at_once_and_all_refresh_tokens(self, user):
        first = self.tokens(APIClient(), user)
        second = self.tokens(APIClient(), user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {first['access_token']}")
        response = client.post("/auth/logout-all")
        assert response.status_code == 200
        assert response.json()["revoked_refresh_tokens"] == 2
        for pair in (first, second):
            other = APIClient()
            other.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
            assert_error_shape(other.get("/auth/me"), 401)
            assert_error_shape(
                APIClient().post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"), 401
            )
        fresh = self.tokens(APIClient(), user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh['access_token']}")
        assert client.get("/auth/me").status_code == 200

    def test_refresh_rate_limit_is_30_per_minute(self, anon_client, user):
        pair = self.tokens(anon_client, user)
        token = pair["refresh_token"]
        for _ in range(30):
            response = anon_client.post("/auth/refresh", {"refresh_token": token}, format="json")
            token = response.json()["refresh_token"]
        assert anon_client.post("/auth/refresh", {"refresh_token": token}, format="json").status_code == 429


class TestRouting:
    @pytest.mark.parametrize("path", ["/auth/login", "/auth/login/"])
    def test_post_without_or_with_trailing_slash_is_not_redirected(self, anon_client, user, path):
        response = anon_client.post(path, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
        assert response.status_code == 200

    def test_unknown_path_is_a_json_404(self, anon_client):
        assert_error_shape(anon_client.get("/no/such/thing"), 404)

    def test_wrong_method_is_405_in_the_error_shape(self, anon_client):
        assert_error_shape(anon_client.get("/auth/login"), 405)

    def test_reverse_names_exist(self):
        assert reverse("auth-login") in ("/auth/login/", "/auth/login")
