"""The staff admin site: dashboard as the index, locked logins after repeated failures (but
not for a browser that has logged in before: accounts/login_throttle.py), and rate-limited
writes (the report's admin rates) for every admin page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

from accounts import login_throttle
from core.api.ratelimit import check_rate_limit, user_or_ip
from core.errors import RateLimited
from core.metrics.registry import LOGIN_LOCKOUTS
from core.request_context import client_ip

LOCKED_MESSAGE = "Too many failed attempts for this account or from this address. Try again later."


class StaffAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict:
        from adminpanel import services

        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip_address = client_ip(self.request) if self.request else None
        # A browser that logged in to this account before has its own failure budget, so
        # guesses from elsewhere cannot lock it out (accounts/login_throttle.py).
        cookie = self.request.COOKIES.get(login_throttle.DEVICE_COOKIE) if self.request else None
        device = login_throttle.device_nonce(cookie, email=email)
        if services.admin_login_locked(email=email, ip_address=ip_address, device=device):
            LOGIN_LOCKOUTS.labels("admin").inc()
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            return super().clean()
        except ValidationError:
            services.admin_login_failed(
                email=email,
                ip_address=ip_address,
                user_agent=self.request.META.get("HTTP_USER_AGENT", "") if self.request else "",
                device=device,
            )
            raise


def rate_bucket(request: HttpRequest) -> str | None:
    """Which of the report's admin limits a request counts against (None: not limited)."""
    path = request.path
    if "/export/" in path:
        return "admin_export"  # downloads are GETs, and limited all the same
    if request.method != "POST" or path.endswith("/logout/"):
        return None
    if path.endswith("/delete/") or request.POST.get("action") == "delete_selected":
        return "admin_delete"
    return "admin_write"


class ChampionCloneAdminSite(admin.AdminSite):
    site_header = "Champion Clone"
    site_title = "Champion Clone"
    index_title = "Dashboard"
    index_template = "admin/dashboard.html"
    login_form = StaffAuthenticationForm

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST":
            try:
                check_rate_limit(request, rate_name="login", key="ip", group="admin-login")
            except RateLimited as exc:
                return self._limited(request, exc, "login attempts")
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
            # Logged in: this browser is now a known device of the account.
            login_throttle.device_cookie_set(response, login_throttle.device_token_issue(email=request.user.email))
        return response

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        protected = super().admin_view(view, cacheable)

        @wraps(view)
        def limited(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            bucket = rate_bucket(request) if request.user.is_authenticated else None
            if bucket:
                try:
                    check_rate_limit(request, rate_name=bucket, key=user_or_ip, group=bucket)
                except RateLimited as exc:
                    return self._limited(request, exc, bucket.replace("admin_", "") + "s")
            return protected(request, *args, **kwargs)

        return limited

    def _limited(self, request: HttpRequest, exc: RateLimited, what: str) -> HttpResponse:
        response = TemplateResponse(
            request,
            "admin/rate_limited.html",
            {**self.each_context(request), "title": "Slow down", "what": what, "retry_after": exc.retry_after},
            status=429,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response

    def get_urls(self) -> list:
        # Imported here, like the dashboard: the site is built before the apps' models load.
        from django.urls import path

        from adminpanel.live import live_partial_view, live_view
        from adminpanel.scoring_health import scoring_health_view

        page = self.admin_view(lambda request: scoring_health_view(request, site=self))
        return [
            path("scoring-health/", page, name="scoring_health"),
            path("live/", self.admin_view(lambda request: live_view(request, site=self)), name="live"),
            path("live/partial/", self.admin_view(live_partial_view), name="live_partial"),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        from adminpanel import dashboard

        figures = dashboard.figures()
        context = {
            "dashboard": figures,
            "activity_chart": mark_safe(dashboard.bar_chart_svg(figures["activity"])),  # noqa: S308 - our numbers
            "funnel_chart": mark_safe(dashboard.funnel_svg(figures["funnel"])),  # noqa: S308 - our labels
            **(extra_context or {}),
        }
        return super().index(request, context)
