"""Where a webhook may be sent, and the HTTP POST that goes exactly there.

SSRF protection: the host is resolved and every address it resolves to must be public
(not private, loopback, link-local, multicast, reserved, shared or a cloud metadata address;
IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address inside) unless it falls
in ``WEBHOOK_ALLOWED_NETWORKS``. The check runs when an endpoint is saved and again before
every attempt, and the connection is opened to the address that was checked (the Host header
and the TLS server name stay the URL's host), so a DNS answer that changes between the check
and the connection (DNS rebinding) cannot redirect the request. Redirects are never followed.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata services: refused even inside an allowed network, whatever the setting.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer (a public address, hence listed)
    )
)
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
RESPONSE_READ_LIMIT = 64 * 1024
USER_AGENT = "ChampionClone-Webhooks/1.0"


class DestinationRefused(ValueError):
    """The URL points somewhere webhooks may not go. Permanent: retrying will not help."""


class DestinationUnresolvable(OSError):
    """The host name does not resolve (now). Possibly transient."""


@dataclass(frozen=True)
class Destination:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body_excerpt: str
    remote_address: str


@lru_cache(maxsize=8)
def _parse_networks(networks: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in networks if network.strip())


def allowed_networks() -> tuple[IPNetwork, ...]:
    return _parse_networks(tuple(settings.WEBHOOK_ALLOWED_NETWORKS))


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_refusal(address: str | IPAddress) -> str | None:
    """Why webhooks may not be sent to ``address``, or None when they may."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        # The packet would reach (or be translated to) this IPv4 address: judge that one.
        return address_refusal(embedded)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if any(ip in network for network in allowed_networks()):
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_private:
        return "a private address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        # fec0::/10, deprecated but still routed inside some networks; Python calls it global.
        return "a site-local address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved or non-public address"
    return None


def resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationUnresolvable(f"{host} does not resolve: {exc}") from exc
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise DestinationUnresolvable(f"{host} does not resolve")
    return addresses


def destination_check(url: str) -> Destination:
    """Parses, resolves and checks ``url``. Raises DestinationRefused or
    DestinationUnresolvable. Every address must pass: a name that also resolves to a private
    address is refused, since which one a client picks is not ours to predict."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise DestinationRefused("Only http and https URLs can receive webhooks.")
    if parts.username or parts.password:
        raise DestinationRefused("Credentials in the URL are not accepted.")
    host = parts.hostname
    if not host:
        raise DestinationRefused("The URL has no host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DestinationRefused("The URL's port is not valid.") from exc
    addresses = resolve(host, port)
    for address in addresses:
        if reason := address_refusal(address):
            raise DestinationRefused(f"{host} resolves to {address}, {reason}; webhooks are not sent there.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Destination(url=url, scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


def _pin(connection: http.client.HTTPConnection, address: str) -> None:
    """Makes ``connection`` open its socket to ``address`` while keeping ``connection.host``
    for the Host header and, over TLS, for SNI and certificate checking. ``_create_connection``
    is the hook http.client itself calls in ``connect()`` (HTTPS included)."""

    def create_connection(host_port, timeout=None, source_address=None):
        return socket.create_connection((address, host_port[1]), timeout, source_address)

    connection._create_connection = create_connection  # type: ignore[attr-defined]


def post(destination: Destination, *, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POSTs ``body`` to the checked addresses of ``destination`` (the next one only when a
    connection cannot be opened). The whole exchange is bounded by ``timeout`` seconds:
    a watchdog shuts the socket down at the deadline, so a receiver that drips bytes cannot
    hold a worker. Raises OSError (timeouts and TLS errors included) when no answer came."""
    last_error: OSError | None = None
    for address in destination.addresses:
        if destination.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                destination.host, destination.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(destination.host, destination.port, timeout=timeout)
        _pin(connection, address)
        try:
            connection.connect()
        except OSError as exc:
            last_error = exc
            connection.close()
            continue
        return _exchange(connection, destination, address, body=body, headers=headers, timeout=timeout)
    raise last_error or OSError("no address to connect to")


def _exchange(
    connection: http.client.HTTPConnection,
    destination: Destination,
    address: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> Response:
    timed_out = threading.Event()

    def on_deadline() -> None:
        timed_out.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, on_deadline)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST",
            destination.path,
            body=body,
            headers={"content-type": "application/json", "user-agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        content = response.read(RESPONSE_READ_LIMIT)
        return Response(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body_excerpt=content.decode("utf-8", "replace"),
            remote_address=address,
        )
    except (OSError, http.client.HTTPException) as exc:
        if timed_out.is_set():
            raise TimeoutError(f"no complete answer within {timeout:g} s") from exc
        if isinstance(exc, OSError):
            raise
        raise ConnectionError(f"invalid HTTP answer: {exc}") from exc
    finally:
        watchdog.cancel()
        connection.close()
