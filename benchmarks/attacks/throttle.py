"""Login throttling as a weapon (the issue's lock-out findings) and the client address behind
the proxy. The script plays the trusted proxy: the right-most X-Forwarded-For entry is the
address it saw, everything to its left is what the client wrote."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from attacks.base import Context, Outcome, attack, skipped, verdict, wait_for
from attacks.http import ADMIN, Actor, new_rep, short
from attacks.staff import superuser

LOCKOUT = "Finding: locking a victim out"
SPOOF = "Finding: X-Forwarded-For spoofing"
GUESSES = 100
ADMIN_GUESSES = 5
CHURN = 400
LOCKED_TEXT = "Too many failed attempts"


def _spoofed() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


@dataclass
class LockedOut:
    victim: Actor
    laptop_token: str
    phone_token: str
    guesses: Counter
    next_guess: int


def _guess(context: Context, email: str, index: int, **kwargs: object) -> int:
    body = {"email": email, "password": f"Guess-{index}-Aa1!", **kwargs}
    return Actor(context, "guesser").request("POST", "/auth/login", json=body).status_code


def _locked_out(context: Context) -> LockedOut:
    """A victim who logged in on two devices, then 100 wrong passwords from 100 addresses."""

    def build() -> LockedOut:
        victim = new_rep(context, "lockout-victim")
        tokens = [victim.login().json().get("device_token", "") for _ in range(2)]
        guesses = Counter(_guess(context, victim.email, index) for index in range(GUESSES))
        return LockedOut(victim, tokens[0], tokens[1], guesses, _guess(context, victim.email, GUESSES))

    return context.shared("locked-out victim", build)


@attack(LOCKOUT, "API: 100 guesses from 100 addresses, then the victim with a device token")
def victim_with_device_token(context: Context) -> Outcome:
    state = _locked_out(context)
    if not state.laptop_token:
        return verdict(False, "login answered no device_token")
    response = Actor(context, "victim-laptop").request(
        "POST",
        "/auth/login",
        json={"email": state.victim.email, "password": state.victim.password, "device_token": state.laptop_token},
    )
    return verdict(
        response.status_code == 200,
        f"guesses {dict(state.guesses)}, next {state.next_guess}; victim {response.status_code}",
    )


@attack(LOCKOUT, "API: after the 100 guesses an unknown device is locked")
def unknown_device_locked(context: Context) -> Outcome:
    state = _locked_out(context)
    stranger = Actor(context, "unknown-device")
    response = stranger.request(
        "POST", "/auth/login", json={"email": state.victim.email, "password": state.victim.password}
    )
    return verdict(response.status_code == 429, f"correct password, no device token → {short(response, 70)}")


@attack(LOCKOUT, "API: a stolen device token is locked on its own, the owner's other device is not")
def stolen_device_token(context: Context) -> Outcome:
    state = _locked_out(context)
    codes = [_guess(context, state.victim.email, 1000 + i, device_token=state.laptop_token) for i in range(11)]
    right = {"email": state.victim.email, "password": state.victim.password}
    stolen = Actor(context, "thief").request("POST", "/auth/login", json={**right, "device_token": state.laptop_token})
    phone = Actor(context, "victim-phone").request(
        "POST", "/auth/login", json={**right, "device_token": state.phone_token}
    )
    ok = stolen.status_code == 429 and phone.status_code == 200
    return verdict(
        ok,
        f"guesses with the token {dict(Counter(codes))}; token then {stolen.status_code}; other device {phone.status_code}",
    )


def _admin_victim(context: Context) -> tuple[str, str, str] | None:
    """The staff victim's account and the device cookie of its browser's earlier login."""
    account = context.setup.admin_victim
    if account is None:
        return None

    def build() -> tuple[str, str, str]:
        browser = Actor(context, "admin-victim-browser")
        if browser.admin_login(account.email, account.password).status_code != 302:
            raise RuntimeError("the staff victim's first login failed")
        for _ in range(ADMIN_GUESSES):
            Actor(context, "admin-guesser").admin_login(account.email, "Wrong-Password-1!")
        return account.email, account.password, browser.device_token

    return context.shared("locked-out staff member", build)


@attack(LOCKOUT, "admin: 5 guesses from 5 addresses, then the staff member's own browser")
def admin_known_browser(context: Context) -> Outcome:
    victim = _admin_victim(context)
    if victim is None:
        return skipped("needs a staff victim account (setup admin_victim)")
    email, password, cookie = victim
    response = Actor(context, "admin-victim-again").admin_login(email, password, cookie_device_token=cookie)
    return verdict(
        response.status_code == 302, f"device cookie {'set' if cookie else 'MISSING'}; login → {response.status_code}"
    )


@attack(LOCKOUT, "admin: after the 5 guesses an unknown browser is locked")
def admin_unknown_browser(context: Context) -> Outcome:
    victim = _admin_victim(context)
    if victim is None:
        return skipped("needs a staff victim account (setup admin_victim)")
    response = Actor(context, "admin-unknown").admin_login(*victim[:2])
    locked = response.status_code != 302 and LOCKED_TEXT in response.text
    return verdict(
        locked, f"correct password → {response.status_code}, lock message shown: {LOCKED_TEXT in response.text}"
    )


@attack(LOCKOUT, "API: the 100-guess budget survives cache churn (400 junk requests, 400 addresses)")
def budget_survives_churn(context: Context) -> Outcome:
    """Rate-limit counters live in the cache: junk that fills it must not evict the account's
    count and hand the guesser a fresh 100 (last of its group: it may unlock the victim)."""
    state = _locked_out(context)
    for _ in range(CHURN):
        Actor(context, "churn").request("POST", "/auth/register", json={})
    code = _guess(context, state.victim.email, 2000)
    return verdict(
        code == 429, f"after {CHURN} junk registrations an unknown device's next guess → {code} (429: still counted)"
    )


# --- the client address ---------------------------------------------------------------------
@attack(SPOOF, "API login limit (10/min): a new left-most address on every try")
def spoofed_login_limit(context: Context) -> Outcome:
    """Up to 21 tries: were a rate window to end during the burst, one of the two windows
    still sees 11."""
    proxy_saw = context.new_address()
    email = context.email("nobody")
    codes: list[int] = []
    while len(codes) < 21 and 429 not in codes:
        body = {"email": email, "password": f"Guess-{len(codes)}-Aa1!"}
        spoofer = Actor(context, "spoofer")
        codes.append(
            spoofer.request("POST", "/auth/login", json=body, forwarded=f"{_spoofed()}, {proxy_saw}").status_code
        )
    return verdict(429 in codes, f"statuses {codes}")


@attack(SPOOF, "admin address lock (5 failures): a new left-most address each time")
def spoofed_admin_lock(context: Context) -> Outcome:
    proxy_saw = context.new_address()
    pages = []
    for index in range(ADMIN_GUESSES + 1):
        actor = Actor(context, "admin-spoofer", address=f"{_spoofed()}, {proxy_saw}")
        pages.append(actor.admin_login(context.email(f"nobody{index}"), "Wrong-Password-1!"))
    locked = LOCKED_TEXT in pages[-1].text
    return verdict(locked, f"6th try from the same proxy-seen address: {pages[-1].status_code}, locked: {locked}")


@attack(SPOOF, "the address in the activity log is the proxy's, not the client's claim")
def spoofed_activity_ip(context: Context) -> Outcome:
    rep = new_rep(context, "spoof-activity")
    proxy_saw = context.new_address()  # not the address it registered from
    rep.login(forwarded=f"6.6.6.6, {proxy_saw}")
    staff = superuser(context)

    def page() -> str:
        text = staff.request("GET", f"{ADMIN}/adminpanel/activitylog/", params={"q": rep.email}).text
        return text if cell in text or "6.6.6.6" in text else ""

    cell = f">{proxy_saw}<"  # the ip_address column
    text = wait_for(page, timeout=15.0) or ""
    return verdict(
        cell in text and "6.6.6.6" not in text,
        f"login logged from {proxy_saw}: {cell in text}; from 6.6.6.6: {'6.6.6.6' in text}",
    )
