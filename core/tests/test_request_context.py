"""The client address behind trusted proxies: what the proxy wrote, never what the client did."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.request_context import client_ip

FORWARDED = "HTTP_X_FORWARDED_FOR"


def request_from(remote_addr: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta[FORWARDED] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_header_the_peer_address_is_the_client(settings):
    settings.TRUSTED_PROXY_IP_HEADER = ""
    assert client_ip(request_from("203.0.113.9", "6.6.6.6")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),  # the proxy appended the client it saw
        ("6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a spoofed entry first: ignored
        ("1.1.1.1, 2.2.2.2, 198.51.100.7", "198.51.100.7"),
        (" 6.6.6.6 ,198.51.100.7 ", "198.51.100.7"),
        ("6.6.6.6, 2001:db8::1", "2001:db8::1"),
        ("6.6.6.6, not-an-address", "10.0.0.1"),  # nothing usable: the peer (the proxy)
    ],
)
def test_behind_one_proxy_the_right_most_entry_is_the_client(settings, forwarded, expected):
    settings.TRUSTED_PROXY_IP_HEADER, settings.TRUSTED_PROXY_COUNT = FORWARDED, 1
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # CDN appended the client, then the load balancer appended the CDN's address.
        ("198.51.100.7, 192.0.2.50", "198.51.100.7"),
        ("6.6.6.6, 198.51.100.7, 192.0.2.50", "198.51.100.7"),
        ("192.0.2.50", "10.0.0.1"),  # too short for two proxies: not believed
    ],
)
def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings, forwarded, expected):
    settings.TRUSTED_PROXY_IP_HEADER, settings.TRUSTED_PROXY_COUNT = FORWARDED, 2
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def test_a_trusted_header_that_is_missing_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_IP_HEADER = FORWARDED
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


def test_login_failure_counters_survive_a_flood_of_other_cache_entries(settings):
    """A full local-memory cache drops its oldest entries: the embedded default must hold far
    more counters than an attacker can cheaply create, or the account's lock could be wiped."""
    from django.core.cache import cache

    cache.set("rl:login-failures:victim@example.com", 100, 3600)
    for n in range(2_000):  # five times what wiped it with Django's default of 300 entries
        cache.set(f"rl:register:ip:198.51.{n // 250}.{n % 250}", 1, 3600)
    assert cache.get("rl:login-failures:victim@example.com") == 100
