"""Who is asking, for code far from the request (events, audit): the client IP and user agent.

A context variable, so that it is right per thread and per asyncio task.
"""

from __future__ import annotations

import ipaddress
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
    """REMOTE_ADDR, or, when the deployment says a trusted proxy sets a header, the address
    that proxy wrote: the right-most entry of the list (``TRUSTED_PROXY_COUNT`` entries from
    the right behind a chain of proxies). Entries to the left of it are whatever the client
    sent and are never believed; a header too short or not an address falls back to REMOTE_ADDR.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    header = settings.TRUSTED_PROXY_IP_HEADER
    if not header or not request.META.get(header):
        return remote_addr
    entries = [entry.strip() for entry in request.META[header].split(",")]
    count = max(1, settings.TRUSTED_PROXY_COUNT)
    if len(entries) < count:
        return remote_addr
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote_addr


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
