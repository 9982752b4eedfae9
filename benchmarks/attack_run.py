"""The attack run: the security issue's findings and the attacks that held before, tried over
HTTP against a running server the way an attacker would, each answering *held* or *NOT HELD*
with one line of evidence. Exits 1 when any attack did not hold (or could not be tried).

    # a fresh clone of the repository, set up and served on 127.0.0.1, attacked, stopped:
    .venv/bin/python benchmarks/attack_run.py --fresh-clone

    # a server that is already running (with TRUSTED_PROXY_IP_HEADER=HTTP_X_FORWARDED_FOR:
    # this script plays the proxy); setup.json names its staff accounts, signing key, SMTP
    # port and clone (the keys of attacks.base.Setup); attacks that need what it lacks are skipped
    .venv/bin/python benchmarks/attack_run.py --base-url http://127.0.0.1:8000 --setup setup.json

Run it with the project's virtualenv python (it uses requests, PyJWT, PyAV and aiosmtpd from
it). Every request goes to 127.0.0.1 only, with a timeout; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from attacks import authz, base, deploy, emails, inputs, ssrf, templates, throttle, tokens
from attacks.adminweb import SUPPORT, XSS
from attacks.base import ATTACKS, HELD, NOT_HELD, SKIPPED, Attack, Context, Outcome, Setup, run_attack
from attacks.server import fresh_server

# The table's headings in order: the attacks that held before, then the findings.
GROUP_ORDER = [
    authz.GROUP,
    tokens.GROUP,
    inputs.MASS,
    inputs.UPLOADS,
    ssrf.GROUP,
    XSS,
    SUPPORT,
    templates.INJECTION,
    inputs.BOMB,
    tokens.FINDING,
    tokens.PASSWORD_FINDING,
    throttle.LOCKOUT,
    throttle.SPOOF,
    emails.GROUP,
    templates.ESCAPES,
]
assert deploy.GROUP == tokens.FINDING and set(GROUP_ORDER) == {a.group for a in ATTACKS}
REPOSITORY = Path(__file__).resolve().parent.parent


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--fresh-clone", action="store_true", help="clone --repo, set it up, serve it, attack it")
    target.add_argument("--base-url", help="attack this running server (127.0.0.1 only)")
    parser.add_argument("--setup", type=Path, help="with --base-url: JSON with the keys of attacks.base.Setup")
    parser.add_argument(
        "--repo", type=Path, default=REPOSITORY, help="with --fresh-clone: what to clone (default: this one)"
    )
    parser.add_argument("--install", action="store_true", help="with --fresh-clone: `make install-dev` in the clone")
    parser.add_argument("--keep", action="store_true", help="with --fresh-clone: keep the clone and the server logs")
    parser.add_argument("--redis", action="store_true", help="with --fresh-clone: a Redis of its own (REDIS_URL)")
    parser.add_argument("--only", default="", help="run the attacks whose heading or name contains this text")
    parser.add_argument("--json", type=Path, help="also write the outcomes to this file")
    arguments = parser.parse_args(argv)
    if arguments.base_url and urlsplit(arguments.base_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--base-url must be a server on this machine (127.0.0.1)")
    return arguments


def _selected(only: str) -> list[Attack]:
    chosen = [a for a in ATTACKS if only.lower() in f"{a.group} {a.name}".lower()]
    return sorted(chosen, key=lambda a: GROUP_ORDER.index(a.group))


def _run(context: Context, attacks: list[Attack]) -> list[tuple[Attack, Outcome, float]]:
    results, group = [], ""
    for number, attack in enumerate(attacks, 1):
        if attack.group != group:
            group = attack.group
            print(f"\n== {group} ==", flush=True)
        started = time.monotonic()
        outcome = run_attack(context, attack)
        seconds = time.monotonic() - started
        results.append((attack, outcome, seconds))
        print(f"{number:3d}  {outcome.verdict:<9} {attack.name[:78]:<78}  {outcome.evidence}", flush=True)
    return results


def _summary(results: list[tuple[Attack, Outcome, float]]) -> int:
    counts = {
        verdict: sum(o.verdict == verdict for _, o, _ in results) for verdict in (HELD, NOT_HELD, base.ERROR, SKIPPED)
    }
    print(f"\n{counts[HELD]} held, {counts[NOT_HELD]} not held", end="")
    extras = [f"{counts[v]} {v.lower()}" for v in (base.ERROR, SKIPPED) if counts[v]]
    print(f" ({', '.join(extras)})" if extras else "")
    for attack, outcome, _ in results:
        if outcome.verdict in (NOT_HELD, base.ERROR):
            print(f"  {outcome.verdict}: [{attack.group}] {attack.name}: {outcome.evidence}")
    return 0 if counts[NOT_HELD] == counts[base.ERROR] == 0 else 1


def _write_json(path: Path, results: list[tuple[Attack, Outcome, float]]) -> None:
    rows = [
        {"group": a.group, "attack": a.name, "verdict": o.verdict, "evidence": o.evidence, "seconds": round(s, 2)}
        for a, o, s in results
    ]
    path.write_text(json.dumps(rows, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    attacks = _selected(arguments.only)
    started = time.monotonic()
    if arguments.fresh_clone:
        options = {"install": arguments.install, "keep": arguments.keep, "redis": arguments.redis}
        with fresh_server(arguments.repo, **options) as server:
            print(
                f"fresh clone of {arguments.repo} served at {server.base_url} (setup took {time.monotonic() - started:.0f} s)"
            )
            results = _run(Context(server.base_url, server.setup, server.sink), attacks)
    else:
        setup = Setup.from_json(json.loads(arguments.setup.read_text())) if arguments.setup else Setup()
        sink = emails.MailSink(setup.smtp_port) if setup.smtp_port else None
        try:
            results = _run(Context(arguments.base_url, setup, sink), attacks)
        finally:
            if sink:
                sink.stop()
    if arguments.json:
        _write_json(arguments.json, results)
    print(f"\n{len(results)} attacks in {time.monotonic() - started:.0f} s")
    return _summary(results)


if __name__ == "__main__":
    sys.exit(main())
