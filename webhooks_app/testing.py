"""A real webhook receiver on 127.0.0.1, for the tests and the benchmark.

It records every request (receipt time, headers, body), answers from a script (status,
headers, delay; the last answer repeats), and can verify signatures with the
``standardwebhooks`` package, as a receiver in the wild would. The server itself is the
generic one of ``agents.testing.wire``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from agents.testing.wire import LocalHTTPServer, RecordedRequest, Reply


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


class WebhookReceiver(LocalHTTPServer):
    thread_name = "webhook-receiver"

    def __init__(
        self,
        *answers: Answer,
        verify_secret: str | Callable[[], str] | None = None,
        tls: tuple[str, str] | None = None,  # (certificate file, key file): serve HTTPS
    ) -> None:
        super().__init__(tls=tls)
        self.received: list[Received] = []
        self._answers = list(answers) or [Answer()]
        self._verify_secret = verify_secret
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"{self.base_url(host)}{path}"

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._answers = list(answers)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"received {len(self.received)} of {count} webhooks in {timeout}s")
            return list(self.received)

    def handle(self, request: RecordedRequest) -> Reply:
        path = f"{request.path}?{request.query}" if request.query else request.path
        record = Received(request.received_at, request.method, path, request.headers, request.body)
        self._verify(record)
        with self._arrived:
            self.received.append(record)
            answer = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
            self._arrived.notify_all()
        return Reply(answer.status, answer.body, answer.headers, answer.delay)

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
