"""JWT tampering (tokens made or altered by an attacker) and what the security issue found:
a token forged with the key that used to be in the repository, validly signed tokens with odd
claims (as a leaked key would make them), and sessions that outlive a password change."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import requests
from django.core.signing import TimestampSigner

from attacks.base import Context, Outcome, attack, skipped, verdict
from attacks.http import Actor, new_rep, short, strong_password
from attacks.shell import manage, printed_password

GROUP = "JWT tampering"
FINDING = "Finding: unsafe defaults (keys, claims)"
PASSWORD_FINDING = "Finding: a password change kills old sessions"  # noqa: S105 - a heading
# The key the repository used to ship (the issue): a token it signs must be refused.
OLD_DEV_KEY = "dev-insecure-key-do-not-use-in-production-0123456789"


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"


def _me(actor: Actor, token: str) -> int:
    return actor.request("GET", "/auth/me", token=token).status_code


def _pair(context: Context) -> tuple[Actor, Actor]:
    return context.shared("jwt reps", lambda: (new_rep(context, "jwt-victim"), new_rep(context, "jwt-other")))


def _signed(context: Context, change: dict[str, Any], key: str = "") -> str:
    """The victim's access token with ``change`` applied, signed with ``key`` (default: the
    server's own key, as if it had leaked)."""
    victim, _ = _pair(context)
    return jwt.encode({**claims(victim.access), **change}, key or context.setup.secret_key, algorithm="HS256")


@attack(GROUP, 'alg "none" (unsigned) token')
def alg_none(context: Context) -> Outcome:
    victim, _ = _pair(context)
    token = _segments({"alg": "none", "typ": "JWT"}, claims(victim.access)) + "."
    return verdict(_me(victim, token) == 401, f"GET /auth/me → {_me(victim, token)}")


@attack(GROUP, "token signed with another key")
def wrong_key(context: Context) -> Outcome:
    victim, _ = _pair(context)
    token = jwt.encode(claims(victim.access), "attacker-chosen-key-" + "x" * 40, algorithm="HS256")
    return verdict(_me(victim, token) == 401, f"GET /auth/me → {_me(victim, token)}")


@attack(GROUP, "user_id swapped to another user's, original signature kept")
def swapped_user(context: Context) -> Outcome:
    victim, other = _pair(context)
    header, _, signature = victim.access.split(".")
    payload = _b64(json.dumps({**claims(victim.access), "user_id": other.user_id}).encode())
    response = victim.request("GET", "/auth/me", token=f"{header}.{payload}.{signature}")
    return verdict(response.status_code == 401, short(response, 80))


@attack(GROUP, "expired access token (validly signed)")
def expired(context: Context) -> Outcome:
    if not context.setup.secret_key:
        return skipped("needs the server's signing key (setup secret_key)")
    token = _signed(context, {"exp": int(time.time()) - 60, "iat": int(time.time()) - 1000})
    return verdict(_me(_pair(context)[0], token) == 401, f"GET /auth/me → {_me(_pair(context)[0], token)}")


@attack(GROUP, "refresh token used as an access token")
def refresh_as_access(context: Context) -> Outcome:
    victim, _ = _pair(context)
    return verdict(_me(victim, victim.refresh) == 401, f"GET /auth/me → {_me(victim, victim.refresh)}")


@attack(GROUP, "access token used as a refresh token")
def access_as_refresh(context: Context) -> Outcome:
    victim, _ = _pair(context)
    response = victim.request("POST", "/auth/refresh", json={"refresh_token": victim.access})
    return verdict(response.status_code == 401, short(response, 80))


@attack(GROUP, "refresh token replayed after its rotation")
def refresh_replay(context: Context) -> Outcome:
    rep = new_rep(context, "jwt-replay")
    first = rep.request("POST", "/auth/refresh", json={"refresh_token": rep.refresh})
    replay = rep.request("POST", "/auth/refresh", json={"refresh_token": rep.refresh})
    return verdict(
        first.status_code == 200 and replay.status_code == 401, f"first {first.status_code}, replay {short(replay, 60)}"
    )


def _logged_out_everywhere(context: Context) -> tuple[Actor, str, str, int]:
    def build() -> tuple[Actor, str, str, int]:
        rep = new_rep(context, "jwt-logout-all")
        old_access, old_refresh = rep.access, rep.refresh
        return rep, old_access, old_refresh, rep.api("POST", "/auth/logout-all").status_code

    return context.shared("logged out everywhere", build)


@attack(GROUP, "access token after log-out-everywhere")
def access_after_logout_all(context: Context) -> Outcome:
    rep, access, _, status = _logged_out_everywhere(context)
    return verdict(status == 200 and _me(rep, access) == 401, f"logout-all {status}; old access → {_me(rep, access)}")


@attack(GROUP, "refresh token after log-out-everywhere")
def refresh_after_logout_all(context: Context) -> Outcome:
    rep, _, refresh, status = _logged_out_everywhere(context)
    response = rep.request("POST", "/auth/refresh", json={"refresh_token": refresh})
    return verdict(status == 200 and response.status_code == 401, f"old refresh → {short(response, 60)}")


# --- what the issue found -----------------------------------------------------------------
@attack(FINDING, "token forged with the old hard-coded dev key")
def old_dev_key(context: Context) -> Outcome:
    victim, _ = _pair(context)
    token = _signed(context, {}, key=OLD_DEV_KEY)
    return verdict(_me(victim, token) == 401, f"GET /auth/me → {_me(victim, token)}")


@attack(FINDING, "unsubscribe and click-tracking tokens forged with the old dev key")
def old_dev_key_email_tokens(context: Context) -> Outcome:
    """The control signs the same values with the server's key: the forgery is made right, so
    a refusal is the key's doing."""
    victim, _ = _pair(context)

    def unsubscribe(key: str) -> requests.Response:
        token = TimestampSigner(key=key, salt="emails_app.unsubscribe", fallback_keys=[]).sign_object(victim.user_id)
        return victim.request("POST", f"/emails/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})

    forged = unsubscribe(OLD_DEV_KEY)
    click_token = TimestampSigner(key=OLD_DEV_KEY, salt="emails_app.click", fallback_keys=[]).sign_object([1, 0])
    click = victim.request("GET", f"/emails/c/{click_token}").status_code
    control = unsubscribe(context.setup.secret_key).status_code if context.setup.secret_key else None
    shown = victim.email in forged.text
    return verdict(
        forged.status_code == 404 and not shown and click == 404 and control in (200, None),
        f"forged one-click unsubscribe {forged.status_code} (address shown: {shown}), click {click}; "
        f"same token with the server's key {control}",
    )


def _odd(context: Context, change: dict[str, Any]) -> Outcome:
    if not context.setup.secret_key:
        return skipped("needs the server's signing key (setup secret_key)")
    response = _pair(context)[0].request("GET", "/auth/me", token=_signed(context, change))
    return verdict(response.status_code == 401, short(response, 80))


@attack(FINDING, "validly signed token with user_id: [1]")
def odd_user_id_list(context: Context) -> Outcome:
    return _odd(context, {"user_id": [1]})


@attack(FINDING, "validly signed token with exp: 1e20")
def odd_exp(context: Context) -> Outcome:
    return _odd(context, {"exp": 1e20})


@attack(FINDING, "validly signed tokens with user_id true / {} / 1.5 / '1 OR 1=1'")
def odd_user_ids(context: Context) -> Outcome:
    if not context.setup.secret_key:
        return skipped("needs the server's signing key (setup secret_key)")
    victim, _ = _pair(context)
    values = [True, {"$gt": 0}, 1.5, "1 OR 1=1", "0x1", -1]
    codes = [_me(victim, _signed(context, {"user_id": value})) for value in values]
    return verdict(all(code == 401 for code in codes), f"GET /auth/me → {codes}")


# --- a password change ---------------------------------------------------------------------
def _changed_by_command(context: Context) -> tuple[Actor, str, str, str]:
    def build() -> tuple[Actor, str, str, str]:
        rep = new_rep(context, "password-victim")
        access, refresh = rep.access, rep.refresh
        new = strong_password()
        done = manage(context, "changepassword", rep.email, stdin=f"{new}\n{new}\n")
        return rep, access, refresh, f"changepassword rc={done.returncode} {done.stdout.strip()[-60:]!r}"

    return context.shared("password changed by manage.py changepassword", build)


@attack(PASSWORD_FINDING, "old access token after `manage.py changepassword`")
def access_after_changepassword(context: Context) -> Outcome:
    rep, access, _, how = _changed_by_command(context)
    return verdict("rc=0" in how and _me(rep, access) == 401, f"{how}; old access → {_me(rep, access)}")


@attack(PASSWORD_FINDING, "old refresh token after `manage.py changepassword`")
def refresh_after_changepassword(context: Context) -> Outcome:
    rep, _, refresh, how = _changed_by_command(context)
    response = rep.request("POST", "/auth/refresh", json={"refresh_token": refresh})
    return verdict("rc=0" in how and response.status_code == 401, f"old refresh → {short(response, 60)}")


def _changed_in_admin(context: Context) -> tuple[Actor, str, str, int]:
    """A staff member's API session, then their own password change in the admin's form."""

    def build() -> tuple[Actor, str, str, int]:
        account = context.setup.password_staff
        staff = Actor(context, "password-staff")
        staff.email, staff.password = account.email, account.password
        staff.login()
        access, refresh = staff.access, staff.refresh
        staff.staff(account.email, account.password)
        new = strong_password()
        fields = {"old_password": account.password, "new_password1": new, "new_password2": new}
        response = staff.admin_post("/django-admin/password_change/", fields)
        if response.status_code == 302:
            account.password = staff.password = new
        return staff, access, refresh, response.status_code

    return context.shared("password changed in the admin", build)


@attack(PASSWORD_FINDING, "old access and refresh tokens after the admin's password form")
def tokens_after_admin_form(context: Context) -> Outcome:
    if context.setup.password_staff is None:
        return skipped("needs a staff account (setup password_staff)")
    staff, access, refresh, status = _changed_in_admin(context)
    rotated = staff.request("POST", "/auth/refresh", json={"refresh_token": refresh}).status_code
    codes = (status, _me(staff, access), rotated)
    return verdict(codes == (302, 401, 401), f"form {codes[0]}; old access → {codes[1]}, old refresh → {codes[2]}")


@attack(PASSWORD_FINDING, "old access and refresh tokens after `create_admin --generate`")
def tokens_after_create_admin(context: Context) -> Outcome:
    if context.setup.password_staff is None:
        return skipped("needs a staff account (setup password_staff)")
    staff, *_ = _changed_in_admin(context)
    login = staff.login()
    access, refresh = staff.access, staff.refresh
    done = manage(context, "create_admin", "--email", staff.email, "--generate")
    context.setup.password_staff.password = printed_password(done.stdout)
    rotated = staff.request("POST", "/auth/refresh", json={"refresh_token": refresh}).status_code
    codes = (login.status_code, done.returncode, _me(staff, access), rotated)
    return verdict(
        codes == (200, 0, 401, 401),
        f"login {codes[0]}, rc={codes[1]}; old access → {codes[2]}, old refresh → {codes[3]}",
    )
