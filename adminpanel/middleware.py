from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

LAST_SEEN_KEY = "staff_last_seen"
SESSION_TOUCH_SECONDS = 60


class StaffSessionIdleTimeoutMiddleware:
    """An idle staff session expires after ADMIN_IDLE_TIMEOUT_SECONDS: an unattended admin
    tab does not stay logged in (the report's recommendation)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/django-admin/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path.startswith(self.admin_prefix) and user is not None and user.is_authenticated and user.is_staff:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.ADMIN_IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.warning(
                    request, "Your staff session expired after a period of inactivity. Please log in again."
                )
                login = reverse("admin:login")
                return HttpResponseRedirect(f"{login}?next={request.path}")
            if last_seen is None or now - last_seen > SESSION_TOUCH_SECONDS:
                # Not on every request: a session write per page view would cost 3 queries.
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def mark_staff_login(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """user_logged_in: the idle clock starts at login, so the first page needs no session write."""
    if request is not None and getattr(user, "is_staff", False) and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()
