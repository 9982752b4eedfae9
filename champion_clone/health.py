"""``GET /health``: each dependency probed; 503 when one is down.

Anonymous callers (load balancers) learn only up or down: the names of the backends, their
errors and latencies tell an attacker what runs inside. Staff signed in to the admin, or a
monitor presenting ``Authorization: Bearer <HEALTH_TOKEN>``, get every check's details.

Checks are named in ``settings.HEALTH_CHECKS`` (name → dotted path of a function that
raises when its dependency is unusable), so an app adds its own (the vector store) there.
"""

from __future__ import annotations

import hmac
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def check_cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=5)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was just written")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker(url: str | None = None) -> str:
    from champion_clone.celery import app

    with app.connection_for_write(url) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
        return conn.transport_cls if isinstance(conn.transport_cls, str) else conn.transport.driver_type


def run_checks() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, dotted_path in settings.HEALTH_CHECKS.items():
        started = time.perf_counter()
        try:
            backend = import_string(dotted_path)()
            results[name] = {"status": "up", "backend": backend}
        except Exception as exc:  # a health probe reports every failure instead of raising
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


def may_see_details(request: Request) -> bool:
    if request.user.is_active and request.user.is_staff:  # the admin's session, never a rep's JWT
        return True
    token = settings.HEALTH_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(token) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


HEALTH_DETAILS = {
    "status": serializers.ChoiceField(choices=["ok", "degraded"]),
    "down": serializers.ListField(child=serializers.CharField(), required=False),
    "checks": serializers.DictField(child=serializers.DictField(), required=False),
}


class HealthView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health",
        description="Anonymous callers get only `status`; staff and `HEALTH_TOKEN` holders get `down` and `checks`.",
        responses={
            (200, "application/json"): inline_serializer("Health", HEALTH_DETAILS),
            (503, "application/json"): inline_serializer("HealthDown", HEALTH_DETAILS),
        },
    )
    def get(self, request: Request) -> Response:
        checks = run_checks()
        down = [name for name, result in checks.items() if result["status"] != "up"]
        body = {"status": "degraded" if down else "ok"}
        if may_see_details(request):
            body |= {"down": down, "checks": checks}
        return Response(body, status=503 if down else 200)
