"""Rate limits (``settings.RATE_LIMITS``), counted by django-ratelimit.

django-ratelimit's own decorator answers 403; the API wants 429 with ``Retry-After``, so we
call its counter (``get_usage``) and raise our domain error with the window's time left.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from core.errors import RateLimited
from core.request_context import client_ip

Key = str | Callable[[str, HttpRequest], str]


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
    usage = get_usage(
        request,
        group=group or rate_name,
        key=key,
        rate=settings.RATE_LIMITS[rate_name],
        method=ALL,
        increment=increment,
    )
    if usage is None:
        return
    # A peek (increment=False) asks "is the budget already spent?", so the limit-th hit counts.
    limited = usage["should_limit"] if increment else usage["count"] >= usage["limit"]
    if limited:
        raise RateLimited(retry_after=usage["time_left"])
