"""The staff login and device cookies (accounts/login_throttle.py): failures from many
addresses lock an account for unknown browsers only, never for a browser that has logged in
to it before; a stolen cookie is locked on its own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts import login_throttle
from accounts.models import Role
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from adminpanel import services
from adminpanel.models import AdminAlert, AdminLoginFailure
from adminpanel.sites import LOCKED_MESSAGE

pytestmark = pytest.mark.django_db

WRONG = "Wr0ng-password!"
_addresses = iter(f"10.{n // 250}.{n % 250}.1" for n in range(100_000))


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    """Behind a proxy that sets the configured client-IP header, every try from another
    address: the per-address lock never stops the attack."""
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)


def browser(device_token: str | None = None) -> Client:
    """A browser at an address of its own, with a device cookie when given one."""
    client = Client(HTTP_X_FORWARDED_FOR=next(_addresses))
    if device_token is not None:
        client.cookies[login_throttle.DEVICE_COOKIE] = device_token
    return client


def staff_login(client: Client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post(reverse("admin:login"), {"username": email, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def locked(response) -> bool:
    return response.status_code == 200 and LOCKED_MESSAGE in response.content.decode()


def known_browser(email: str) -> tuple[Client, str]:
    """A browser that has logged in to the account once (and logged out): it holds a device cookie."""
    client = browser()
    assert logged_in(staff_login(client, email))
    client.post(reverse("admin:logout"))
    return client, client.cookies[login_throttle.DEVICE_COOKIE].value


def guess(email: str, count: int, device_token: str | None = None) -> None:
    for _ in range(count):
        response = staff_login(browser(device_token), email, WRONG)
        assert response.status_code == 200 and not logged_in(response) and not locked(response)


class TestKnownBrowser:
    def test_a_successful_login_sets_an_http_only_lax_long_lived_device_cookie(self, staff, settings):
        response = staff_login(browser(), staff.email)

        cookie = response.cookies[login_throttle.DEVICE_COOKIE]
        assert login_throttle.device_nonce(cookie.value, email=staff.email) is not None
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
        assert cookie["secure"] == (not settings.DEBUG)
        assert int(cookie["max-age"]) == 90 * 24 * 3600

    def test_a_failed_login_sets_no_cookie(self, staff):
        assert login_throttle.DEVICE_COOKIE not in staff_login(browser(), staff.email, WRONG).cookies

    def test_the_owner_on_a_known_browser_still_logs_in_after_five_failures_from_five_addresses(self, staff, settings):
        owners_browser, _ = known_browser(staff.email)

        guess(staff.email, settings.ADMIN_LOGIN_MAX_FAILURES)

        assert locked(staff_login(browser(), staff.email))
        assert logged_in(staff_login(owners_browser, staff.email))

    def test_a_device_token_from_the_api_login_works_in_the_admin(self, staff, settings):
        token = Client().post(
            "/auth/login", {"email": staff.email, "password": DEFAULT_PASSWORD}, content_type="application/json"
        )
        token = token.json()["device_token"]

        guess(staff.email, settings.ADMIN_LOGIN_MAX_FAILURES)

        assert logged_in(staff_login(browser(token), staff.email))

    def test_a_known_browser_is_still_held_to_the_per_address_lock(self, staff, settings):
        owners_browser, _ = known_browser(staff.email)
        address = owners_browser.defaults["HTTP_X_FORWARDED_FOR"]
        for n in range(settings.ADMIN_LOGIN_MAX_FAILURES):
            staff_login(Client(HTTP_X_FORWARDED_FOR=address), f"guess{n}@example.com", WRONG)

        assert locked(staff_login(owners_browser, staff.email))


class TestUnknownBrowser:
    def test_an_attacker_with_no_cookie_is_locked_even_with_the_right_password(self, staff, settings):
        guess(staff.email, settings.ADMIN_LOGIN_MAX_FAILURES)

        response = staff_login(browser(), staff.email)

        assert locked(response) and not logged_in(response)

    def test_a_cookie_for_another_account_does_not_help(self, staff, settings):
        _, attackers_own_token = known_browser(UserFactory(role=Role.ADMIN, is_staff=True).email)

        guess(staff.email, settings.ADMIN_LOGIN_MAX_FAILURES, device_token=attackers_own_token)

        assert locked(staff_login(browser(attackers_own_token), staff.email))

    def test_a_tampered_cookie_does_not_help(self, staff, settings):
        _, token = known_browser(staff.email)
        tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

        guess(staff.email, settings.ADMIN_LOGIN_MAX_FAILURES)

        assert locked(staff_login(browser(tampered), staff.email))


class TestStolenCookie:
    def test_a_stolen_cookie_is_locked_after_its_limit_without_locking_the_owners_other_browsers(self, staff, settings):
        _, stolen = known_browser(staff.email)
        owners_other_browser, _ = known_browser(staff.email)
        device_limit = int(settings.RATE_LIMITS["login_failures_per_device"].split("/")[0])

        guess(staff.email, device_limit, device_token=stolen)

        assert locked(staff_login(browser(stolen), staff.email))
        assert logged_in(staff_login(owners_other_browser, staff.email))

    def test_locking_a_stolen_cookie_alerts_staff(self, staff, settings):
        _, stolen = known_browser(staff.email)
        device_limit = int(settings.RATE_LIMITS["login_failures_per_device"].split("/")[0])

        guess(staff.email, device_limit, device_token=stolen)

        (alert,) = AdminAlert.objects.filter(type="security.suspicious_admin_access")
        assert alert.severity == AdminAlert.Severity.CRITICAL and alert.resource_id == staff.email
        assert "device" in alert.message and "other devices are not" in alert.message

    def test_every_failure_is_still_recorded(self, staff, settings):
        _, stolen = known_browser(staff.email)

        guess(staff.email, 3, device_token=stolen)
        guess(staff.email, 2)

        assert AdminLoginFailure.objects.filter(email=staff.email).count() == 5


class TestServices:
    def test_a_known_device_is_locked_by_its_own_failures_only(self, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures_per_device": "2/15m"}
        for n in range(settings.ADMIN_LOGIN_MAX_FAILURES):
            services.admin_login_failed(email="ops@example.com", ip_address=f"198.51.100.{n}")
        assert services.admin_login_locked(email="ops@example.com", ip_address="203.0.113.1")
        assert not services.admin_login_locked(email="ops@example.com", ip_address="203.0.113.1", device="nonce-a")

        for n in range(2):
            services.admin_login_failed(email="ops@example.com", ip_address=f"192.0.2.{n}", device="nonce-a")

        assert services.admin_login_locked(email="ops@example.com", ip_address="203.0.113.1", device="nonce-a")
        assert not services.admin_login_locked(email="ops@example.com", ip_address="203.0.113.1", device="nonce-b")
