"""The fault scripts' HTTP client: every answer's status and latency recorded, thread-safe,
with a summary per endpoint."""

from __future__ import annotations

import http.client
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Answer:
    label: str
    status: int  # 0: no HTTP answer at all (connection refused or reset, a timeout)
    seconds: float
    at: float
    body: bytes = b""
    retry_after: str = ""

    def payload(self) -> dict:
        """The JSON object answered ({} for anything else)."""
        return json.loads(self.body) if self.body.startswith(b"{") else {}


@dataclass
class Recorder:
    """Every answer, thread-safe, with a summary per endpoint."""

    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def statuses(self, since: float = 0.0, until: float = float("inf")) -> dict[str, Counter]:
        table: dict[str, Counter] = {}
        for answer in self.answers:
            if since <= answer.at < until:
                table.setdefault(answer.label, Counter())[answer.status] += 1
        return table


class Client:
    """One keep-alive connection, re-opened after an error, as a browser or an SDK would."""

    def __init__(self, port: int, recorder: Recorder, *, token: str = "", cookie: str = "", timeout: float = 60):
        self.port, self.recorder, self.timeout = port, recorder, timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if cookie:
            self.headers["Cookie"] = cookie
        self.connection: http.client.HTTPConnection | None = None

    def request(self, label: str, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Answer:
        headers = {**self.headers, **({"Content-Type": content_type} if content_type else {})}
        began = time.perf_counter()
        try:
            self.connection = self.connection or http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            body = response.read()
            answer = Answer(label, response.status, 0.0, time.time(), body, response.getheader("Retry-After") or "")
        except (OSError, http.client.HTTPException):
            self.connection = None
            answer = Answer(label, 0, 0.0, time.time())
        answer.seconds = time.perf_counter() - began
        self.recorder.add(answer)
        return answer

    def json(self, label: str, method: str, path: str, payload: dict | None = None) -> Answer:
        body = json.dumps(payload).encode() if payload is not None else None
        return self.request(label, method, path, body, "application/json" if body else "")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1)))] if ordered else 0.0


def multipart(file_name: str, data: bytes, **fields: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
    head += "Content-Type: application/octet-stream\r\n\r\n"
    body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
