"""A real SMTP server on 127.0.0.1 (aiosmtpd), for the tests and the benchmark."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass
class ReceivedEmail:
    received_at: float
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()
        raise AssertionError(f"no {content_type} part")


class SMTPSink:
    """``with SMTPSink() as sink``: ``sink.port``, ``sink.messages``. ``sink.refuse(code,
    text, times)`` answers the next DATA commands with an error, for retry tests."""

    def __init__(self) -> None:
        self.messages: list[ReceivedEmail] = []
        self._refusals: list[str] = []
        self._lock = threading.Condition()
        self._controller = None
        self.port = 0

    def refuse(self, reply: str, times: int = 1) -> None:
        with self._lock:
            self._refusals.extend([reply] * times)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        with self._lock:
            if self._refusals:
                return self._refusals.pop(0)
            parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            self.messages.append(ReceivedEmail(time.time(), envelope.mail_from, list(envelope.rcpt_tos), parsed))
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedEmail]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"received {len(self.messages)} of {count} emails in {timeout}s")
            return list(self.messages)

    def __enter__(self) -> SMTPSink:
        from aiosmtpd.controller import Controller

        with socket.socket() as probe:  # a free port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._controller is not None:
            self._controller.stop()
