"""Rate limits (``settings.RATE_LIMITS``), counted by django-ratelimit.

django-ratelimit's own decorator answers 403; the API wants 429 with ``Retry-After``, so we
call its counter (``get_usage``) and raise our domain error with the window's time left.

The counters live in the cache (Redis in production). django-ratelimit catches only a host
name that does not resolve: any other error of an unreachable Redis would be a 500 on every
limited endpoint. Here the limits that guard credentials fail closed (429 with a short
``Retry-After``: no password guessing while the counters are away) and the others fail open
(practice, uploads and analyses go on), each logged (README.md, "Faults").
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from core.errors import RateLimited
from core.request_context import client_ip

logger = structlog.get_logger(__name__)

Key = str | Callable[[str, HttpRequest], str]

# The limits that refuse rather than allow while their counters cannot be read.
FAIL_CLOSED_WITHOUT_CACHE = frozenset(
    {"login", "login_failures_per_account", "login_failures_per_device", "register", "refresh"}
    | {"verify_email", "verify_email_resend", "team_invitation_accept"}
)
RETRY_AFTER_WITHOUT_CACHE = 5


def user_or_ip(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def check_rate_limit(
    request: HttpRequest, *, rate_name: str, key: Key = "ip", group: str | None = None, increment: bool = True
) -> None:
    """Counts one hit against ``rate_name`` and raises ``RateLimited`` past the limit."""
    if not settings.RATELIMIT_ENABLE:
        return
    try:
        usage = get_usage(
            request,
            group=group or rate_name,
            key=key,
            rate=settings.RATE_LIMITS[rate_name],
            method=ALL,
            increment=increment,
        )
    except (RedisError, OSError) as exc:
        closed = rate_name in FAIL_CLOSED_WITHOUT_CACHE
        logger.warning(
            "rate_limit_cache_unavailable", rate=rate_name, fails="closed" if closed else "open", error=str(exc)
        )
        if closed:
            raise RateLimited(retry_after=RETRY_AFTER_WITHOUT_CACHE) from None
        return
    if usage is None:
        return
    # A peek (increment=False) asks "is the budget already spent?", so the limit-th hit counts.
    limited = usage["should_limit"] if increment else usage["count"] >= usage["limit"]
    if limited:
        raise RateLimited(retry_after=usage["time_left"])
