"""Real HTTP servers on 127.0.0.1 for tests: the one generic server every app's test helpers
build on (``LocalHTTPServer``), and a scripted one that speaks a vendor's wire protocol.

The vendor SDKs take a ``base_url``; pointing it at ``LocalVendorServer`` exercises the real
SDK end to end (request building, headers, multipart encoding, retries, timeouts, response
parsing) without patching its HTTP layer and without leaving the machine. Replies are queued
per route and consumed in order; the last one repeats, which makes "a 500 until give-up" one
line. Every request is recorded, multipart bodies parsed, for assertions.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before answering: longer than the client's timeout makes a timeout.
    delay: float = 0.0

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None, delay: float = 0.0) -> Reply:
        return cls(status, json.dumps(payload).encode(), {"content-type": "application/json", **(headers or {})}, delay)


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    content: bytes


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)
    received_at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form: dict[str, list[str]] = {}
    files: dict[str, list[UploadedFile]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            files.setdefault(name, []).append(UploadedFile(filename, part.get_content_type(), payload))
        else:
            form.setdefault(name, []).append(payload.decode("utf-8", "replace"))
    return form, files


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (HTTPS with ``tls``: a certificate and a key file)
    that records nothing itself: every request, any method, is handed to ``handle`` and its
    ``Reply`` sent back, after the reply's delay. Subclasses say what to answer."""

    thread_name = "local-http"

    def __init__(self, *, tls: tuple[str, str] | None = None) -> None:
        self._tls = tls
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handle(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    def base_url(self, host: str = "127.0.0.1") -> str:
        return f"{'https' if self._tls else 'http'}://{host}:{self.port}"

    def __enter__(self) -> Self:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def _handle(self) -> None:
                reply = owner.handle(_read_request(self))
                if reply.delay and owner._closing.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False
            request_queue_size = 256  # a benchmark's burst is queued, not refused

        self._server = Server(("127.0.0.1", 0), Handler)
        if self._tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            # A short poll interval: leaving the ``with`` block waits for it.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _read_request(handler: BaseHTTPRequestHandler) -> RecordedRequest:
    length = int(handler.headers.get("content-length") or 0)
    body = handler.rfile.read(length) if length else b""
    headers = {k.lower(): v for k, v in handler.headers.items()}
    path, _, query = handler.path.partition("?")
    request = RecordedRequest(handler.command, path, query, headers, body)
    if headers.get("content-type", "").startswith("multipart/form-data"):
        request.form, request.files = _parse_multipart(headers["content-type"], body)
    return request


Responder = Reply | Callable[[RecordedRequest], Reply]


class LocalVendorServer(LocalHTTPServer):
    """``with LocalVendorServer() as server: server.route("POST", r"/v1/...", Reply(...))``."""

    thread_name = "local-vendor"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[RecordedRequest] = []
        self._routes: list[tuple[str, re.Pattern[str], list[Responder]]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.base_url()

    def route(self, method: str, path_pattern: str, *replies: Responder) -> None:
        """Answer ``method`` requests whose path matches ``path_pattern`` (a regex, full
        match, query string excluded) with ``replies`` in order, the last one repeating."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes.append((method.upper(), re.compile(path_pattern), list(replies)))

    def requests_to(self, path_pattern: str) -> list[RecordedRequest]:
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if pattern.fullmatch(r.path)]

    def handle(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            for method, pattern, replies in self._routes:
                if method == request.method and pattern.fullmatch(request.path):
                    responder = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
            else:
                return Reply.json({"error": {"message": f"no route for {request.method} {request.path}"}}, 404)
        return responder(request) if callable(responder) else responder
