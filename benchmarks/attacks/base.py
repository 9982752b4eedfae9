"""The registry of attacks, their outcomes, and the context every attack receives."""

from __future__ import annotations

import itertools
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HELD, NOT_HELD, ERROR, SKIPPED = "held", "NOT HELD", "ERROR", "skipped"


@dataclass(frozen=True)
class Outcome:
    verdict: str  # HELD, NOT_HELD, ERROR or SKIPPED
    evidence: str


def held(evidence: str) -> Outcome:
    return Outcome(HELD, evidence)


def not_held(evidence: str) -> Outcome:
    return Outcome(NOT_HELD, evidence)


def skipped(reason: str) -> Outcome:
    return Outcome(SKIPPED, reason)


def verdict(condition: bool, evidence: str) -> Outcome:
    return Outcome(HELD if condition else NOT_HELD, evidence)


def all_held(outcomes: list[Outcome]) -> Outcome:
    """One outcome for several tries of one attack: held only if every try held."""
    if len(outcomes) == 1:
        return outcomes[0]
    width = max(30, 200 // len(outcomes))
    return verdict(all(o.verdict == HELD for o in outcomes), " / ".join(o.evidence[:width] for o in outcomes))


class SceneError(Exception):
    """The accounts or objects an attack needs could not be made: the attack cannot say."""


@dataclass(frozen=True)
class Attack:
    group: str
    name: str
    run: Callable[[Context], Outcome]


ATTACKS: list[Attack] = []


def attack(group: str, name: str) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    """Registers ``function`` as one attack under the heading ``group``, in definition order."""

    def register(function: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        ATTACKS.append(Attack(group, name, function))
        return function

    return register


@dataclass
class Account:
    """Credentials of a staff member made by the operator (``manage.py create_admin``, or the
    support account), as the setup hands them over."""

    email: str
    password: str


@dataclass
class Setup:
    """What the attacks know of the server besides its URL: the staff accounts, the signing key
    the operator configured (to sign tokens with odd claims, as a leaked key would), the SMTP
    port its EMAIL_URL points at, and for the operator-side attacks the clone and its python."""

    superuser: Account | None = None
    support: Account | None = None
    admin_victim: Account | None = None
    password_staff: Account | None = None
    secret_key: str = ""
    smtp_port: int = 0
    clone_dir: Path | None = None
    python: Path | None = None
    server_env: dict[str, str] = field(default_factory=dict)
    call_file: Path | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Setup:
        accounts = {
            name: Account(**data[name]) if data.get(name) else None
            for name in ("superuser", "support", "admin_victim", "password_staff")
        }
        paths = {name: Path(data[name]) if data.get(name) else None for name in ("clone_dir", "python", "call_file")}
        return cls(
            **accounts,
            **paths,
            secret_key=data.get("secret_key", ""),
            smtp_port=int(data.get("smtp_port") or 0),
            server_env=dict(data.get("server_env") or {}),
        )


class Context:
    """The server under attack and what the attacks share: each simulated client has its own
    address (the script plays the trusted proxy that appends it to X-Forwarded-For), and
    shared scenes are built once, failures included."""

    def __init__(self, base_url: str, setup: Setup, mail_sink: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.setup = setup
        self.mail_sink = mail_sink
        self.run_id = secrets.token_hex(3)
        self._addresses = itertools.count(1)
        self._shared: dict[str, Any] = {}

    def new_address(self) -> str:
        """A client address no other simulated client uses (198.18.0.0/15, benchmarking)."""
        number = next(self._addresses)
        return f"198.18.{number // 250}.{number % 250 + 1}"

    def email(self, label: str) -> str:
        return f"{label}-{self.run_id}@attack-run.test"

    def shared(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()``'s result, made once; a failure is kept and raised again as SceneError."""
        if key not in self._shared:
            try:
                self._shared[key] = build()
            except Exception as exc:  # kept, so that every attack that needs it says why at once
                self._shared[key] = SceneError(f"{key}: {type(exc).__name__}: {exc}")
        value = self._shared[key]
        if isinstance(value, SceneError):
            raise value
        return value


def wait_for(condition: Callable[[], Any], *, timeout: float, interval: float = 0.5) -> Any:
    """Polls ``condition`` until it returns something truthy or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_attack(context: Context, attack_: Attack) -> Outcome:
    try:
        return attack_.run(context)
    except SceneError as exc:
        return Outcome(ERROR, f"setup failed: {exc}"[:300])
    except Exception as exc:  # an attack that crashes says so instead of stopping the run
        return Outcome(ERROR, f"{type(exc).__name__}: {exc}"[:300])
