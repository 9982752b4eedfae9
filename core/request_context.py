"""Who is asking, for code far from the request (events, audit): the client IP and user agent.

A context variable, so that it is right per thread and per asyncio task.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


_current: ContextVar[RequestContext] = ContextVar("request_context", default=RequestContext())  # noqa: B039 - frozen dataclass


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the trusted proxy's header when the deployment says it has one."""
    header = settings.TRUSTED_PROXY_IP_HEADER
    if header and request.META.get(header):
        # X-Forwarded-For may hold a list: the client is the first entry.
        return request.META[header].split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def current() -> RequestContext:
    return _current.get()


def bind(request: HttpRequest):
    return _current.set(
        RequestContext(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            path=request.path[:500],
        )
    )


def reset(token) -> None:
    _current.reset(token)
