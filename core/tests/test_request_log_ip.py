"""The request log lines carry the client IP the product trusts (``core.request_context``),
never an address the client wrote in X-Forwarded-For."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def logged_ips(caplog) -> set:
    return {
        record.msg.get("ip")
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") in ("request_started", "request_finished")
    }


def test_a_forged_forwarded_header_is_not_the_logged_ip(settings, caplog):
    settings.TRUSTED_PROXY_IP_HEADER = ""
    with caplog.at_level(logging.INFO):
        Client().get("/health", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="203.0.113.9")
    assert logged_ips(caplog) == {"203.0.113.9"}


def test_behind_a_trusted_proxy_the_logged_ip_is_the_one_the_proxy_wrote(settings, caplog):
    settings.TRUSTED_PROXY_IP_HEADER, settings.TRUSTED_PROXY_COUNT = "HTTP_X_FORWARDED_FOR", 1
    with caplog.at_level(logging.INFO):
        Client().get("/health", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert logged_ips(caplog) == {"198.51.100.7"}
