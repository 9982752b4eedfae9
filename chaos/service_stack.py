"""What the fault scripts of this folder share: a throw-away database, the product's production
settings (DEBUG off), gunicorn and Celery workers as real processes, and an HTTP client that
records every answer's status and latency. Nothing here touches the services' own state: each
script makes its own database (and Redis database) and removes it."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(REPOSITORY))  # the product's packages (agents' speech synthesis) for the scripts
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def product_env(work: Path, database_url: str, *, redis_url: str = "", **extra: str) -> dict[str, str]:
    """The product as deployed (DEBUG off), on plain HTTP on the loopback."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "DJANGO_SETTINGS_MODULE": "champion_clone.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "VAR_DIR": str(work),
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        **extra,
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def postgres_database(prefix: str, *, port: int = 5432) -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL (or the cluster on ``port``), dropped
    afterwards."""
    name = f"{prefix}_{os.getpid()}"
    where = ["-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    subprocess.run(["createdb", *where, name], check=True)
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/{name}"
    finally:
        subprocess.run(["dropdb", *where, "--force", "--if-exists", name], check=False)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=REPOSITORY, check=True, stdout=subprocess.DEVNULL)


def seed(env: dict[str, str], *args: str) -> dict:
    """``chaos/seed.py``'s JSON line: the users' tokens, the ids a script needs."""
    output = subprocess.run(
        [PYTHON, str(REPOSITORY / "chaos" / "seed.py"), *args],
        env=env,
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _wait_for_http(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(240):
        if process.poll() is not None:
            sys.exit(f"{url} did not start; see {log}")
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 (a loopback URL built here)
            return
        except urllib.error.HTTPError:
            return  # it answers (503 while a dependency is down is an answer)
        except OSError:
            time.sleep(0.5)
    process.kill()
    sys.exit(f"{url} did not answer; see {log}")


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path, *, workers: int = 2) -> Iterator[subprocess.Popen]:
    command = [str(BIN / "gunicorn"), "champion_clone.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "--timeout", "60"], env=env, cwd=REPOSITORY, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/health", process, log)
        yield process
    finally:
        stop(process)


@contextmanager
def celery_workers(env: dict[str, str], count: int, log_dir: Path, *, queues: str = "pipeline,light") -> Iterator[list]:
    processes = []
    for index in range(count):
        command = [PYTHON, "-m", "celery", "--app", "champion_clone", "worker", "--queues", queues]
        command += ["--concurrency", "1", "--hostname", f"chaos{index}-{os.getpid()}@%h", "--loglevel", "WARNING"]
        with (log_dir / f"worker-{index}.log").open("w") as out:
            processes.append(subprocess.Popen(command, env=env, cwd=REPOSITORY, stdout=out, stderr=subprocess.STDOUT))
    try:
        yield processes
    finally:
        for process in processes:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Answer:
    label: str
    status: int  # 0: no HTTP answer at all (connection refused or reset, a timeout)
    seconds: float
    at: float
    body: bytes = b""
    retry_after: str = ""


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


def synthesized_clips(folder: Path, count: int, *, turns: int = 4) -> list[bytes]:
    """``count`` short two-voice sales calls (espeak-ng, as the tests make them; a few turns of
    a labelled script each, starting at a different turn), encoded to M4A."""
    from agents.scripts import load_script
    from agents.testing.synth import encode_recording, synthesize_call

    script = load_script("saas_helpdesk").turns
    clips = []
    for index in range(count):
        start = (index * 2) % (len(script) - turns)
        chosen = [(t.speaker, t.text) for t in script[start : start + turns]]
        call = synthesize_call(chosen, folder / f"clip-{index}.wav")
        clips.append(Path(encode_recording(call.wav_path, folder / f"clip-{index}.m4a")).read_bytes())
    return clips


def multipart(file_name: str, data: bytes, **fields: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
    head += "Content-Type: application/octet-stream\r\n\r\n"
    body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
