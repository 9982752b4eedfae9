"""Login throttling that hands attackers no lock-out button (README.md, "Login throttling").

OWASP's "Slow Down Online Guessing Attacks with Device Cookies": every successful login
issues a device token, a signed value naming the account and a random nonce. A login that
presents a valid token for the account it is trying is a *known device*: only that token's
own failure budget can stop it. Any other login (no token, a tampered or expired one, one
issued for another account) is an *unknown device* and shares the account's budget. Guessing
one account's password from many addresses therefore locks that account for unknown devices
only; its owner, on a device that has logged in before, still gets in, and a stolen token is
locked on its own without touching the owner's other devices. The per-address limits apply
to everyone, as before.

The counters live in the cache, like every other rate limit: the account's through
``core.api.ratelimit`` (``RATE_LIMITS["login_failures_per_account"]``), a device's here
(``RATE_LIMITS["login_failures_per_device"]``, windows aligned to the clock as
django-ratelimit's are), shared by the API and the staff admin since a nonce is one
credential whichever door it is shown at.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from accounts.models import normalize_email
from core.api.ratelimit import check_rate_limit
from core.errors import RateLimited
from core.metrics.registry import LOGIN_LOCKOUTS

DEVICE_COOKIE = "device_token"
DEVICE_TOKEN_MAX_AGE = timedelta(days=90)
# Its own salt: a device token is never accepted where another signed value is expected
# (unsubscribe links, tracking tokens), nor the other way round.
_SALT = "accounts.login_throttle.device"
_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def device_token_issue(*, email: str) -> str:
    """A new device token for the account that has just logged in with ``email``."""
    return signing.dumps({"email": normalize_email(email), "nonce": secrets.token_urlsafe(16)}, salt=_SALT)


def device_nonce(*tokens: str | None, email: str) -> str | None:
    """The nonce of the first of ``tokens`` that we signed, that has not expired and that
    names this account; None (an unknown device) when there is none."""
    email = normalize_email(email)
    for token in tokens:
        if not token or not isinstance(token, str):
            continue
        try:
            payload = signing.loads(token, salt=_SALT, max_age=DEVICE_TOKEN_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
            continue
        if isinstance(payload, dict) and payload.get("email") == email and isinstance(payload.get("nonce"), str):
            return payload["nonce"]
    return None


def device_cookie_set(response: HttpResponse, token: str) -> None:
    """The device token as a cookie for same-site browsers: script cannot read it (HttpOnly),
    it travels on top-level navigations and same-site requests only (Lax), over HTTPS only
    unless DEBUG."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=int(DEVICE_TOKEN_MAX_AGE.total_seconds()),
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Lax",
    )


def _device_rate() -> tuple[int, int]:
    """``RATE_LIMITS["login_failures_per_device"]`` ("10/15m") as (limit, period in seconds)."""
    count, period = settings.RATE_LIMITS["login_failures_per_device"].split("/")
    unit = period[-1] if period[-1] in _PERIOD_SECONDS else "s"
    multiplier = period.rstrip("smhd") or "1"
    return int(count), int(multiplier) * _PERIOD_SECONDS[unit]


def _device_window(nonce: str, now: float) -> tuple[str, int, int, int]:
    """(cache key, limit, period, seconds left) of the window ``now`` falls in."""
    limit, period = _device_rate()
    start = int(now // period) * period
    return f"login-throttle:device:{nonce}:{start}", limit, period, max(1, start + period - int(now))


def device_locked(nonce: str, *, now: float | None = None) -> int:
    """Seconds until this device may try again; 0 when it is not locked."""
    key, limit, _, seconds_left = _device_window(nonce, time.time() if now is None else now)
    return seconds_left if cache.get(key, 0) >= limit else 0


def device_failed(nonce: str) -> int:
    """Counts one failed login on this device; returns the failures in the current window."""
    key, _, period, _ = _device_window(nonce, time.time())
    if cache.add(key, 1, timeout=period + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return 1


def _account_key(email: str):
    def key(group: str, request: HttpRequest) -> str:
        return email

    return key


def login_check(request: HttpRequest, *, email: str, device: str | None) -> None:
    """Raises ``RateLimited`` when this login may not be tried now: a known device whose own
    budget is spent, or an unknown device while the account's budget is spent."""
    if not settings.RATELIMIT_ENABLE:
        return
    try:
        if device is not None:
            if seconds_left := device_locked(device):
                raise RateLimited(retry_after=seconds_left)
            return
        check_rate_limit(
            request, rate_name="login_failures_per_account", key=_account_key(normalize_email(email)), increment=False
        )
    except RateLimited:
        LOGIN_LOCKOUTS.labels("api").inc()
        raise


def login_failed(request: HttpRequest, *, email: str, device: str | None) -> None:
    """Counts a failed login against the device that made it, or, for an unknown device,
    against the account."""
    if not settings.RATELIMIT_ENABLE:
        return
    if device is not None:
        device_failed(device)
        return
    check_rate_limit(request, rate_name="login_failures_per_account", key=_account_key(normalize_email(email)))
