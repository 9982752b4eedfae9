"""A real webhook receiver on 127.0.0.1, for the tests and the benchmark.

It records every request (receipt time, headers, body), answers from a script (status,
headers, delay; the last answer repeats), and can verify signatures with the
``standardwebhooks`` package, as a receiver in the wild would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


@dataclass
class Received:
    received_at: float  # time.time()
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None = None  # None: no verifier configured
    verification_error: str = ""


class WebhookReceiver:
    def __init__(
        self,
        *answers: Answer,
        verify_secret: str | Callable[[], str] | None = None,
        tls: tuple[str, str] | None = None,  # (certificate file, key file): serve HTTPS
    ) -> None:
        self.received: list[Received] = []
        self._tls = tls
        self._answers = list(answers) or [Answer()]
        self._verify_secret = verify_secret
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"{'https' if self._tls else 'http'}://{host}:{self.port}{path}"

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._answers = list(answers)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"received {len(self.received)} of {count} webhooks in {timeout}s")
                self._arrived.wait(remaining)
            return list(self.received)

    def _verify(self, record: Received) -> None:
        if self._verify_secret is None:
            return
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        secret = self._verify_secret() if callable(self._verify_secret) else self._verify_secret
        try:
            Webhook(secret).verify(record.body, record.headers)
            record.verified = True
        except WebhookVerificationError as exc:
            record.verified, record.verification_error = False, str(exc)

    def _answer_for(self, record: Received) -> Answer:
        with self._arrived:
            self.received.append(record)
            answer = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
            self._arrived.notify_all()
        return answer

    def __enter__(self) -> WebhookReceiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                record = Received(time.time(), "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                owner._verify(record)
                answer = owner._answer_for(record)
                if answer.delay and owner._closing.wait(answer.delay):
                    return
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (a timeout test)

            do_GET = do_PUT = do_POST

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False
            request_queue_size = 256

        self._server = Server(("127.0.0.1", 0), Handler)
        if self._tls:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-receiver", daemon=True
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
