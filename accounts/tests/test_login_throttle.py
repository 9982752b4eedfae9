"""Login throttling with device tokens (accounts/login_throttle.py): guessing from many
addresses locks unknown devices out of an account, never a device that has logged in to it
before; a stolen token is locked on its own."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from rest_framework.test import APIClient

from accounts import login_throttle
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Wr0ng-password!"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    """The attack as it was run: behind a proxy that sets the configured client-IP header,
    every guess from another address, so no per-address limit ever stops it."""
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1


def login(client: APIClient, email: str, password: str = DEFAULT_PASSWORD, *, address: str, **body: str):
    return client.post(
        "/auth/login", {"email": email, "password": password, **body}, format="json", HTTP_X_FORWARDED_FOR=address
    )


def device_token_of(email: str, address: str = "192.0.2.1") -> str:
    """A successful login on a fresh device; returns the device token it was given."""
    response = login(APIClient(), email, address=address)
    assert response.status_code == 200, response.content
    return response.json()["device_token"]


def guess(email: str, count: int, *, first_address: int = 0, **body: str) -> None:
    """``count`` wrong passwords for ``email``, each from a fresh client and another address."""
    for n in range(first_address, first_address + count):
        response = login(APIClient(), email, WRONG, address=f"10.{n // 62500}.{n // 250 % 250}.{n % 250}", **body)
        assert response.status_code == 401, (n, response.content)


def assert_locked(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


class TestKnownDevice:
    def test_the_owner_with_a_device_token_still_logs_in_after_a_hundred_failures_from_many_addresses(self, user):
        token = device_token_of(user.email)

        guess(user.email, 100)

        assert_locked(login(APIClient(), user.email, address="198.51.100.1"))
        response = login(APIClient(), user.email, address="198.51.100.2", device_token=token)
        assert response.status_code == 200, response.content
        assert response.json()["user"]["id"] == user.pk

    def test_the_device_cookie_alone_is_enough_for_a_same_site_browser(self, user):
        browser = APIClient()
        assert login(browser, user.email, address="192.0.2.1").status_code == 200

        guess(user.email, 100)

        assert login(browser, user.email, address="192.0.2.1").status_code == 200

    def test_every_successful_login_issues_a_new_token_that_works_as_well(self, user):
        first = device_token_of(user.email)
        second = login(APIClient(), user.email, address="192.0.2.2", device_token=first).json()["device_token"]
        assert second != first

        guess(user.email, 100)

        assert login(APIClient(), user.email, address="192.0.2.3", device_token=second).status_code == 200

    def test_a_known_device_is_still_held_to_the_per_address_limit(self, user):
        token = device_token_of(user.email)
        client = APIClient()
        for _ in range(10):
            login(client, user.email, WRONG, address="203.0.113.9", device_token=token)

        assert_locked(login(client, user.email, address="203.0.113.9", device_token=token))


class TestUnknownDevice:
    def test_an_attacker_with_no_token_is_locked_after_a_hundred_failures_even_with_the_right_password(self, user):
        guess(user.email, 100)

        response = login(APIClient(), user.email, address="198.51.100.1")

        assert_locked(response)
        assert int(response["Retry-After"]) <= 3600

    def test_a_token_for_another_account_does_not_help(self, user, other_user):
        attackers_own_token = device_token_of(other_user.email)

        guess(user.email, 100, device_token=attackers_own_token)

        assert_locked(login(APIClient(), user.email, address="198.51.100.1", device_token=attackers_own_token))

    @pytest.mark.parametrize(
        "tamper",
        [
            pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="signature"),
            pytest.param(lambda token: "x" + token[1:], id="payload"),
            pytest.param(lambda token: token.rsplit(":", 1)[0], id="signature-removed"),
        ],
    )
    def test_a_tampered_token_does_not_help(self, user, tamper):
        token = device_token_of(user.email)

        guess(user.email, 100)

        assert_locked(login(APIClient(), user.email, address="198.51.100.1", device_token=tamper(token)))

    def test_a_value_signed_for_another_purpose_does_not_help(self, user):
        forged = signing.dumps({"email": user.email, "nonce": "chosen-by-me"})  # the default salt

        guess(user.email, 100)

        assert_locked(login(APIClient(), user.email, address="198.51.100.1", device_token=forged))

    def test_an_expired_token_does_not_help(self, user, monkeypatch):
        issued_long_ago = int(time.time() - login_throttle.DEVICE_TOKEN_MAX_AGE.total_seconds() - 60)
        monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(issued_long_ago))
        token = login_throttle.device_token_issue(email=user.email)
        monkeypatch.undo()

        guess(user.email, 100)

        assert_locked(login(APIClient(), user.email, address="198.51.100.1", device_token=token))


class TestStolenToken:
    def test_a_stolen_token_is_locked_on_its_own_after_its_limit(self, user):
        stolen, owners_other_device = device_token_of(user.email), device_token_of(user.email)

        guess(user.email, 10, device_token=stolen)

        assert_locked(login(APIClient(), user.email, address="198.51.100.1", device_token=stolen))
        assert login(APIClient(), user.email, address="198.51.100.2", device_token=owners_other_device).status_code == (
            200
        )

    def test_failures_on_a_known_device_do_not_spend_the_accounts_budget(self, user, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures_per_account": "5/h"}
        stolen = device_token_of(user.email)

        guess(user.email, 10, device_token=stolen)

        assert login(APIClient(), user.email, address="198.51.100.1").status_code == 200

    def test_the_lock_of_a_device_lasts_at_most_its_window(self, user):
        stolen = device_token_of(user.email)

        guess(user.email, 10, device_token=stolen)

        response = login(APIClient(), user.email, address="198.51.100.1", device_token=stolen)
        assert_locked(response)
        assert int(response["Retry-After"]) <= 15 * 60


class TestResponse:
    def test_the_login_response_keeps_its_shape_and_adds_the_device_token(self, user):
        response = login(APIClient(), user.email, address="192.0.2.1")

        body = response.json()
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user", "device_token"}
        assert login_throttle.device_nonce(body["device_token"], email=user.email) is not None

    def test_the_same_token_is_set_as_an_http_only_lax_cookie(self, user, settings):
        response = login(APIClient(), user.email, address="192.0.2.1")

        cookie = response.cookies[login_throttle.DEVICE_COOKIE]
        assert cookie.value == response.json()["device_token"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["secure"] == (not settings.DEBUG)
        assert int(cookie["max-age"]) == 90 * 24 * 3600

    def test_the_cookie_is_secure_unless_debug(self, user, settings):
        settings.DEBUG = False
        assert login(APIClient(), user.email, address="192.0.2.1").cookies[login_throttle.DEVICE_COOKIE]["secure"]

    def test_a_failed_login_issues_no_token(self, user):
        response = login(APIClient(), user.email, WRONG, address="192.0.2.1")

        assert response.status_code == 401
        assert login_throttle.DEVICE_COOKIE not in response.cookies
        assert "device_token" not in response.json()

    def test_the_schema_documents_the_token_in_the_request_and_the_response(self, anon_client):
        schema = anon_client.get("/api/schema/", {"format": "json"}).json()
        operation = schema["paths"]["/auth/login"]["post"]

        def component(ref: str) -> dict:
            return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]

        request = component(operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
        reply = component(operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"])
        assert "device_token" in request["properties"] and "device_token" not in request.get("required", [])
        assert "device_token" in reply["properties"] and "device_token" in reply["required"]


class TestDeviceNonce:
    def test_a_token_names_its_account_whatever_the_case_of_the_address(self):
        token = login_throttle.device_token_issue(email="Ops@Example.com")

        assert login_throttle.device_nonce(token, email=" ops@example.COM ") is not None
        assert login_throttle.device_nonce(token, email="other@example.com") is None

    def test_each_token_has_its_own_nonce(self):
        first = login_throttle.device_token_issue(email="ops@example.com")
        second = login_throttle.device_token_issue(email="ops@example.com")

        assert login_throttle.device_nonce(first, email="ops@example.com") != login_throttle.device_nonce(
            second, email="ops@example.com"
        )

    def test_the_first_valid_token_for_the_account_wins(self):
        other = login_throttle.device_token_issue(email="other@example.com")
        mine = login_throttle.device_token_issue(email="ops@example.com")

        assert login_throttle.device_nonce(None, "", other, mine, email="ops@example.com") == (
            login_throttle.device_nonce(mine, email="ops@example.com")
        )

    @pytest.mark.parametrize("garbage", [None, "", "no-separator", "a:b:c", "\ud800:\udfff", 42, ["x"]])
    def test_garbage_is_an_unknown_device_not_an_error(self, garbage):
        assert login_throttle.device_nonce(garbage, email="ops@example.com") is None

    @pytest.mark.parametrize("garbage", ['"\\ud800:\\udfff"', '"x:y:z"', '"::::"', "42", "null", "[]", "{}"])
    def test_a_garbage_token_in_the_body_is_an_unknown_device_not_an_error(self, garbage, user):
        body = f'{{"email": "{user.email}", "password": "{DEFAULT_PASSWORD}", "device_token": {garbage}}}'
        response = APIClient().post("/auth/login", body, content_type="application/json")

        assert response.status_code in (200, 400), response.content


class TestDeviceCounter:
    def test_the_device_is_locked_at_its_limit_and_only_that_device(self, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures_per_device": "3/15m"}
        for _ in range(2):
            login_throttle.device_failed("nonce-a")
        assert login_throttle.device_locked("nonce-a") == 0

        assert login_throttle.device_failed("nonce-a") == 3

        assert 0 < login_throttle.device_locked("nonce-a") <= 15 * 60
        assert login_throttle.device_locked("nonce-b") == 0

    def test_the_lock_ends_with_its_window(self, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures_per_device": "1/15m"}
        login_throttle.device_failed("nonce-a")

        assert login_throttle.device_locked("nonce-a", now=time.time() + 15 * 60 + 1) == 0

    @pytest.mark.parametrize(("rate", "expected"), [("10/15m", (10, 900)), ("100/h", (100, 3600)), ("5/30", (5, 30))])
    def test_the_rate_reads_as_django_ratelimit_reads_it(self, settings, rate, expected):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures_per_device": rate}

        assert login_throttle._device_rate() == expected

    def test_nothing_is_counted_when_rate_limits_are_off(self, user, settings):
        settings.RATELIMIT_ENABLE = False
        token = device_token_of(user.email)

        guess(user.email, 12, device_token=token)

        assert login(APIClient(), user.email, address="192.0.2.9", device_token=token).status_code == 200
