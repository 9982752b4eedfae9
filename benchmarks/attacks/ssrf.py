"""SSRF through the staff admin: webhook endpoints aimed at the server's own network, typed
into the endpoint form by a staff member. Each must be refused by the form; a local listener
(and a redirector to the metadata address) shows whether anything was ever sent to them."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from attacks.base import Context, Outcome, all_held, attack, verdict
from attacks.http import ADMIN, form_errors
from attacks.staff import superuser

GROUP = "SSRF (webhook URLs in the admin form, as staff)"
ADD_ENDPOINT = f"{ADMIN}/webhooks_app/webhookendpoint/add/"
METADATA = "http://169.254.169.254/latest/meta-data/"


class Listener:
    """An HTTP server on 127.0.0.1 that counts what reaches it; ``/redirect`` answers 302 to
    the cloud metadata address, as an attacker's redirector would."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(302 if self.path.startswith("/redirect") else 200)
                self.send_header("Location", METADATA)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _listener(context: Context) -> Listener:
    return context.shared("listener", Listener)


def _try_endpoint(context: Context, url: str) -> Outcome:
    staff = superuser(context)
    hits_before = len(_listener(context).hits)
    data = {"name": f"attack {context.run_id}", "url": url, "is_active": "on"}
    response = staff.admin_post(ADD_ENDPOINT, data)
    errors = form_errors(response.text) if response.status_code == 200 else ""
    created = response.status_code in (200, 302) and not errors
    secret = re.search(r"whsec_[A-Za-z0-9+/=]+", response.text)
    reached = len(_listener(context).hits) - hits_before
    evidence = f"{response.status_code}: {errors[:110] or ('created' if created else 'no form')}"
    return verdict(
        not created and not secret and reached == 0, f"{evidence}{'; secret shown' if secret else ''}; hits {reached}"
    )


def _local(context: Context, host: str, path: str = "/hook") -> str:
    return f"http://{host}:{_listener(context).port}{path}"


def _locals(*hosts: str, path: str = "/hook") -> Callable[[Context], list[str]]:
    return lambda context: [_local(context, host, path) for host in hosts]


METADATA_HOSTS = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "[fd00:ec2::254]"]
PRIVATE_URLS = ["http://attacker.example@10.0.0.1/", "http://192.168.0.1/", "http://[fd00::1]/", "http://100.64.0.1/"]
# Attack name → the URLs it types into the form (<port>: the local listener's).
TARGETS: dict[str, Callable[[Context], list[str]]] = {
    "http://127.0.0.1:<port>/": _locals("127.0.0.1"),
    "http://localhost:<port>/": _locals("localhost"),
    "cloud metadata: 169.254.169.254, 169.254.170.2, 100.100.100.200, 168.63.129.16, fd00:ec2::254": lambda _: [
        f"http://{host}/latest/meta-data/" for host in METADATA_HOSTS
    ],
    "IPv6 loopback http://[::1]:<port>/": _locals("[::1]"),
    "IPv4-mapped IPv6 http://[::ffff:127.0.0.1]/ and [::ffff:a9fe:a9fe]": lambda context: [
        _local(context, "[::ffff:127.0.0.1]"),
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
    ],
    "IPv6 transition forms of 127.0.0.1: NAT64 [64:ff9b::7f00:1], 6to4 [2002:7f00:1::]": _locals(
        "[64:ff9b::7f00:1]", "[2002:7f00:1::]"
    ),
    "decimal IP http://2130706433:<port>/": _locals("2130706433"),
    "octal IP http://0177.0.0.1:<port>/": _locals("0177.0.0.1"),
    "hex and short forms http://0x7f000001/, http://0x7f.0.0.1/, http://127.1/": _locals(
        "0x7f000001", "0x7f.0.0.1", "127.1"
    ),
    "unspecified address http://0.0.0.0:<port>/": _locals("0.0.0.0"),  # noqa: S104 - the address aimed at
    "a redirecting URL (local redirector → metadata)": _locals("127.0.0.1", path="/redirect"),
    "credentials and private hosts: user@10.0.0.1, 192.168.0.1, [fd00::1], 100.64.0.1": lambda _: PRIVATE_URLS,
}


def _attack_urls(urls: Callable[[Context], list[str]]) -> Callable[[Context], Outcome]:
    return lambda context: all_held([_try_endpoint(context, url) for url in urls(context)])


for _name, _urls in TARGETS.items():
    attack(GROUP, _name)(_attack_urls(_urls))
