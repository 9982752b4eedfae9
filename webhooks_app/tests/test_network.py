"""SSRF rules on addresses and URLs (no network needed: addresses are literals)."""

import pytest

from agents.http import retry_after_seconds
from webhooks_app import network

REFUSED = {
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.10": "private",
    "127.0.0.1": "loopback",
    "169.254.169.254": "metadata",
    "169.254.10.1": "link-local",
    "100.64.0.1": "non-public",  # carrier-grade NAT
    "0.0.0.0": "unspecified",  # noqa: S104 (an address under test, not a bind)
    "224.0.0.1": "multicast",
    "::1": "loopback",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fec0::1": "site-local",
    "ff02::1": "multicast",
    "fd00:ec2::254": "metadata",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.0.0.1": "private",
    "::ffff:169.254.169.254": "metadata",
    "64:ff9b::a9fe:a9fe": "metadata",  # NAT64 of 169.254.169.254
    "2002:7f00:1::": "loopback",  # 6to4 of 127.0.0.1
}


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_non_public_addresses_are_refused(address, kind, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    reason = network.address_refusal(address)
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_are_accepted(address, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert network.address_refusal(address) is None


def test_allowed_networks_let_loopback_through_in_both_families_of_notation(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert network.address_refusal("127.0.0.1") is None
    assert network.address_refusal("::ffff:127.0.0.1") is None
    assert network.address_refusal("10.0.0.1") is not None
    assert network.address_refusal("::1") is not None  # not in the allowed IPv4 range


def test_metadata_addresses_stay_refused_even_inside_an_allowed_network(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["169.254.0.0/16", "fd00::/8"]
    assert "metadata" in network.address_refusal("169.254.169.254")
    assert "metadata" in network.address_refusal("fd00:ec2::254")
    assert network.address_refusal("169.254.1.1") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",  # a name that resolves to loopback
        "http://2130706433/hook",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/hook",  # and in hexadecimal shorthand
        "http://[::1]/hook",
        "http://[::ffff:7f00:1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
    ],
)
def test_urls_resolving_to_refused_addresses_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(network.DestinationRefused):
        network.destination_check(url)


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/x", "file:///etc/passwd", "gopher://1.1.1.1/", "http://user:pw@1.1.1.1/", "http:///x"]
)
def test_other_schemes_credentials_and_hostless_urls_are_refused(url):
    with pytest.raises(network.DestinationRefused):
        network.destination_check(url)


def test_a_public_address_url_is_accepted_with_its_path_and_query(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    destination = network.destination_check("https://1.1.1.1:8443/hooks/in?team=7")
    assert (destination.host, destination.port, destination.path) == ("1.1.1.1", 8443, "/hooks/in?team=7")
    assert destination.addresses == ("1.1.1.1",)


def test_retry_after_in_seconds_and_as_an_http_date():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
