"""Email verification (README.md, "Email verification"): the signed token, the services that
verify an address and ask for another email, the two endpoints, the profile's flag, and the
accounts that count as verified without a link (those that existed before, staff)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from io import StringIO
from urllib.parse import unquote

import pytest
import yaml
from django.apps import apps
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory
from conftest import authenticated_client
from core import events
from core.errors import InvalidInput

pytestmark = pytest.mark.django_db

STRONG = "Corr3ct-Horse!battery"
VERIFY = "/auth/verify-email"
RESEND = "/auth/verify-email/resend"


def unverified_user(**fields) -> User:
    return UserFactory(email_verified_at=None, **fields)


def token_for(user: User) -> str:
    # Imported here (as in the tests below): the module is new, and the tests that do not need
    # it must fail on code without verification for what it does, not on an import.
    from accounts.verification import email_verification_token

    return email_verification_token(user)


def token_in_email(message) -> str:
    [link] = re.findall(r"https?://\S+/verify-email\?token=([^\s\"'<>&)]+)", message.body)
    return unquote(link)


def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks(execute=True)


class TestTheToken:
    def test_a_fresh_token_names_its_user_and_the_address_it_was_made_for(self):
        from accounts.verification import email_verification_claims, email_verification_matches

        user = unverified_user(email="ana@example.com")
        user_id, digest = email_verification_claims(token_for(user))
        assert user_id == user.pk
        assert email_verification_matches(user, digest)
        user.email = "someone.else@example.com"
        assert not email_verification_matches(user, digest)

    def test_the_token_does_not_carry_the_address(self):
        user = unverified_user(email="ana.secret@example.com")
        decoded = signing.b64_decode(token_for(user).split(":")[0].encode()).decode()
        assert "ana.secret" not in decoded

    def test_tampered_expired_and_foreign_tokens_name_nobody(self, monkeypatch):
        from accounts.verification import MAX_AGE, SALT, email_verification_claims
        from emails_app import tokens as email_tokens

        user = unverified_user()
        token = token_for(user)
        long_ago = time.time() - MAX_AGE.total_seconds() - 60
        with monkeypatch.context() as patched:
            patched.setattr(time, "time", lambda: long_ago)
            expired = token_for(user)
        payload, stamp, signature = token.split(":")
        forged_payload = signing.b64_encode(f'[{user.pk + 1},"x"]'.encode()).decode()
        for bad in (
            expired,
            f"{payload}:{stamp}:{signature[:-2]}xx",
            f"{forged_payload}:{stamp}:{signature}",
            email_tokens.unsubscribe_token(user.pk),  # signed, for another purpose
            signing.dumps("not a pair", salt=SALT),
            signing.dumps([True, "x"], salt=SALT),
            "",
            "garbage",
        ):
            assert email_verification_claims(bad) is None, bad
        assert timedelta(hours=48) == MAX_AGE


class TestVerifyService:
    def test_a_registered_address_starts_unverified(self):
        user = services.user_register(email="new@example.com", password=STRONG, full_name="New Rep")
        assert user.email_verified_at is None and not User.objects.get(pk=user.pk).email_verified

    def test_the_token_verifies_the_address_and_publishes_once_after_commit(
        self, dispatched, django_capture_on_commit_callbacks
    ):
        user = unverified_user()
        token = token_for(user)
        with django_capture_on_commit_callbacks() as callbacks:
            verified = services.user_verify_email(token=token)
            assert dispatched == []
        for callback in callbacks:
            callback()
        assert verified.pk == user.pk and User.objects.get(pk=user.pk).email_verified
        (event,) = dispatched
        assert event.type == events.USER_EMAIL_VERIFIED
        assert event.data == {"user_id": user.pk, "email": user.email, "plan": "free"}
        assert (event.user_id, event.resource_type, event.resource_id) == (user.pk, "user", str(user.pk))

    def test_verifying_again_is_idempotent_and_publishes_nothing_more(
        self, dispatched, django_capture_on_commit_callbacks
    ):
        user = unverified_user()
        token = token_for(user)
        with commit(django_capture_on_commit_callbacks):
            services.user_verify_email(token=token)
        first_verified_at = User.objects.get(pk=user.pk).email_verified_at
        with commit(django_capture_on_commit_callbacks):
            again = services.user_verify_email(token=token)
            assert services.user_mark_email_verified(user=again) is False
        assert again.email_verified_at == first_verified_at
        assert [event.type for event in dispatched] == [events.USER_EMAIL_VERIFIED]

    def test_a_token_for_an_address_the_account_no_longer_has_is_refused(self):
        user = unverified_user(email="old@example.com")
        token = token_for(user)
        User.objects.filter(pk=user.pk).update(email="new@example.com")
        with pytest.raises(InvalidInput) as refused:
            services.user_verify_email(token=token)
        assert "token" in refused.value.fields
        assert not User.objects.get(pk=user.pk).email_verified

    def test_a_deactivated_or_deleted_account_is_not_verified(self):
        inactive = unverified_user(is_active=False)
        deleted = unverified_user()
        deleted_token = token_for(deleted)
        deleted.delete()
        for token in (token_for(inactive), deleted_token, "tampered"):
            with pytest.raises(InvalidInput):
                services.user_verify_email(token=token)
        assert not User.objects.get(pk=inactive.pk).email_verified

    def test_asking_again_publishes_a_request_unless_verified(self, dispatched, django_capture_on_commit_callbacks):
        user = unverified_user()
        with commit(django_capture_on_commit_callbacks):
            assert services.user_request_email_verification(user=user) is True
            assert services.user_request_email_verification(user=UserFactory()) is False
        (event,) = dispatched
        assert (event.type, event.user_id, event.data) == (
            events.USER_EMAIL_VERIFICATION_REQUESTED,
            user.pk,
            {"user_id": user.pk},
        )


class TestAccountsVerifiedWithoutALink:
    def test_staff_made_by_create_admin_and_createsuperuser_are_verified(self):
        call_command("create_admin", "--email", "Ops@Example.com", "--generate", stdout=StringIO())
        assert User.objects.get(email="ops@example.com").email_verified
        promoted = unverified_user(email="promoted@example.com")
        services.admin_create(email=promoted.email, password=STRONG)
        assert User.objects.get(pk=promoted.pk).email_verified
        assert User.objects.create_superuser("root@example.com", STRONG).email_verified

    def test_the_migration_counts_every_existing_account_as_verified_since_it_joined(self):
        from importlib import import_module

        migration = import_module("accounts.migrations.0002_user_email_verified_at")
        joined = timezone.now() - timedelta(days=300)
        existing = unverified_user(date_joined=joined)
        verified_at = timezone.now() - timedelta(days=3)
        already = UserFactory(email_verified_at=verified_at)
        migration.existing_users_are_verified(apps, schema_editor=None)
        assert User.objects.get(pk=existing.pk).email_verified_at == joined
        assert User.objects.get(pk=already.pk).email_verified_at == verified_at

    def test_the_demo_users_are_verified(self):
        call_command("seed_test_data", stdout=StringIO())
        assert User.objects.exists() and not User.objects.filter(email_verified_at__isnull=True).exists()


class TestVerifyEndpoint:
    def test_registration_answers_as_before_and_the_emailed_token_verifies(
        self, anon_client, django_capture_on_commit_callbacks
    ):
        with commit(django_capture_on_commit_callbacks):
            response = anon_client.post(
                "/auth/register",
                {"email": "new.rep@example.com", "password": STRONG, "full_name": "New Rep"},
                format="json",
            )
        assert response.status_code == 201
        body = response.json()
        assert body["access_token"] and body["refresh_token"] and body["user"]["email_verified"] is False
        [message] = mail.outbox
        assert message.to == ["new.rep@example.com"]
        with commit(django_capture_on_commit_callbacks):
            verified = anon_client.post(VERIFY, {"token": token_in_email(message)}, format="json")
        assert verified.status_code == 200, verified.content
        assert verified.json()["id"] == body["user"]["id"] and verified.json()["email_verified"] is True

    def test_no_authentication_is_needed_and_a_stale_header_is_ignored(self, anon_client):
        user = unverified_user()
        anon_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.foreign")
        for path in (VERIFY, f"{VERIFY}/"):
            response = anon_client.post(path, {"token": token_for(user)}, format="json")
            assert response.status_code == 200, response.content
            assert response.json()["email_verified"] is True

    @pytest.mark.parametrize("body", [{"token": "tampered"}, {"token": ""}, {}, {"token": ["x"]}, {"token": "x" * 600}])
    def test_a_bad_token_is_400_in_the_error_shape(self, anon_client, body):
        response = anon_client.post(VERIFY, body, format="json")
        assert response.status_code == 400
        error = response.json()
        assert set(error) == {"detail", "code", "fields"} and "token" in error["fields"]

    def test_an_expired_token_is_400_and_verifies_nothing(self, anon_client, monkeypatch):
        user = unverified_user()
        two_days_and_an_hour_ago = time.time() - 49 * 3600
        with monkeypatch.context() as patched:
            patched.setattr(time, "time", lambda: two_days_and_an_hour_ago)
            expired = token_for(user)
        response = anon_client.post(VERIFY, {"token": expired}, format="json")
        assert response.status_code == 400 and "expired" in response.json()["detail"]
        assert not User.objects.get(pk=user.pk).email_verified

    def test_the_31st_try_in_a_minute_from_one_address_is_429(self, anon_client):
        for _ in range(30):
            assert anon_client.post(VERIFY, {"token": "guess"}, format="json").status_code == 400
        assert anon_client.post(VERIFY, {"token": "guess"}, format="json").status_code == 429


class TestProfileAndResend:
    def test_me_tells_whether_the_address_is_verified(self):
        user = unverified_user()
        client = authenticated_client(user)
        assert client.get("/auth/me").json()["email_verified"] is False
        services.user_mark_email_verified(user=user)
        assert client.get("/auth/me").json()["email_verified"] is True

    def test_resend_is_202_and_sends_another_verification_email(self, django_capture_on_commit_callbacks):
        user = unverified_user(email="again@example.com")
        with commit(django_capture_on_commit_callbacks):
            response = authenticated_client(user).post(RESEND)
        assert response.status_code == 202
        assert response.json() == {"email_verified": False, "verification_email_sent": True}
        [message] = mail.outbox
        assert message.to == ["again@example.com"]
        assert services.user_verify_email(token=token_in_email(message)).pk == user.pk

    def test_resend_for_a_verified_address_is_a_200_no_op(self, api_client, django_capture_on_commit_callbacks):
        with commit(django_capture_on_commit_callbacks):
            response = api_client.post(f"{RESEND}/")
        assert response.status_code == 200
        assert response.json() == {"email_verified": True, "verification_email_sent": False}
        assert mail.outbox == []

    def test_the_fourth_resend_in_an_hour_is_429(self):
        client = authenticated_client(unverified_user())
        assert [client.post(RESEND).status_code for _ in range(3)] == [202, 202, 202]
        response = client.post(RESEND)
        assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
        # Per user: another account is not limited by the first one's requests.
        assert authenticated_client(unverified_user()).post(RESEND).status_code == 202

    def test_resend_needs_a_token(self, anon_client):
        assert anon_client.post(RESEND).status_code == 401

    def test_the_schema_documents_both_endpoints(self, anon_client):
        paths = yaml.safe_load(anon_client.get("/api/schema/").content)["paths"]
        verify, resend = paths[VERIFY]["post"], paths[RESEND]["post"]
        assert {"200", "400", "429"} <= set(verify["responses"])
        assert verify["security"] == [] or {} in verify["security"]
        assert {"200", "202", "401", "429"} <= set(resend["responses"])
        me = paths["/auth/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        user_schema = yaml.safe_load(anon_client.get("/api/schema/").content)["components"]["schemas"]
        assert user_schema[me.rsplit("/", 1)[1]]["properties"]["email_verified"]["type"] == "boolean"
