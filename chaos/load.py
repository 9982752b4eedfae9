"""Load with nothing lost (README.md, "Faults"): 50 reps at once, each its own user and
connection, make 200 uploads (each then analysed) and 2,000 training replies against gunicorn
(2 sync workers, DEBUG off) and two Celery workers, on a PostgreSQL database and a Redis
database of their own. Prints requests/s, p50/p95 and answers by status per endpoint, then
waits up to ``--drain-seconds`` for the pipeline and checks in the database that every upload
answered 201 is one champion, ready, failed with a reason, or still queued (none lost), and
every reply answered 200 is stored exactly once.

    .venv/bin/python chaos/load.py [--users 50] [--uploads 200] [--replies 2000] [--drain-seconds 600]

A 429 (rate limit) or 503 is waited out (its Retry-After) and the same request sent again, as a
client should; both are counted. The default limits hold for this load (4 uploads and 40
replies a user); nothing is raised for the run.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos import common
from chaos.http_client import Client, Recorder, multipart, percentile

# What the reps say, in turn: objection answers, a question, a close, and a weak "ok".
REPLIES = (
    "I understand, price matters. What does a slow first reply cost you today in lost customers?",
    "That is a fair concern. We can start with one team and prove the value in two weeks.",
    "ok",
    "Could you tell me more about how your agents handle the busy season today?",
    "As a next step, can we book thirty minutes on Tuesday with your support director?",
)
FINAL = ("ready", "failed")
WAITING = ("queued", "processing")


@dataclass
class Rep:
    client: Client
    champion_id: int
    clips: list[bytes]
    uploaded: list[int] = field(default_factory=list)
    analysed: list[int] = field(default_factory=list)
    replies_by_session: Counter = field(default_factory=Counter)
    session_id: int | None = None
    retried: Counter = field(default_factory=Counter)

    def send(self, label: str, method: str, path: str, payload: dict | None = None, upload: bytes = b""):
        """The request until it is not a 429 or 503 (waiting its Retry-After each time)."""
        for _ in range(20):
            if upload:
                body, content_type = multipart("call.m4a", upload, name="Load call")
                answer = self.client.request(label, method, path, body, content_type)
            else:
                answer = self.client.json(label, method, path, payload)
            if answer.status not in (429, 503):
                return answer, answer.payload()
            self.retried[answer.status] += 1
            time.sleep(float(answer.retry_after or 1))
        return answer, {}

    def upload_and_analyse(self) -> None:
        answer, body = self.send("POST /upload", "POST", "/upload", upload=random.choice(self.clips))
        if answer.status != 201:
            return
        self.uploaded.append(body["id"])
        answer, _ = self.send("POST /analyze/{id}", "POST", f"/analyze/{body['id']}")
        if answer.status == 202:
            self.analysed.append(body["id"])

    def reply(self, message: str) -> None:
        if self.session_id is None:
            answer, body = self.send(
                "POST /training/start", "POST", "/training/start", {"champion_id": self.champion_id}
            )
            if answer.status != 201:
                return
            self.session_id = body["session"]["id"]
        payload = {"session_id": self.session_id, "message": message}
        answer, body = self.send("POST /training/respond", "POST", "/training/respond", payload)
        if answer.status == 200:
            self.replies_by_session[self.session_id] += 1
        if answer.status != 200 or body["session"]["outcome"]:
            self.send("POST /training/end", "POST", "/training/end", {"session_id": self.session_id})
            self.session_id = None

    def run(self, uploads: int, replies: int, offset: int) -> None:
        plan = ["upload"] * uploads + ["reply"] * replies
        random.Random(offset).shuffle(plan)
        said = 0
        for action in plan:
            if action == "upload":
                self.upload_and_analyse()
            else:
                self.reply(REPLIES[(offset + said) % len(REPLIES)])
                said += 1


def shares(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def drive(port: int, seeded: dict, clips: list[bytes], args: argparse.Namespace) -> tuple[list[Rep], float]:
    recorder = Recorder()
    reps = [Rep(Client(port, recorder, token=t, timeout=120), seeded["champion_id"], clips) for t in seeded["tokens"]]
    uploads, replies = shares(args.uploads, len(reps)), shares(args.replies, len(reps))
    threads = [
        threading.Thread(target=rep.run, args=(uploads[i], replies[i], i), daemon=True) for i, rep in enumerate(reps)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reps, time.perf_counter() - began


def report_http(reps: list[Rep], seconds: float) -> int:
    answers = reps[0].client.recorder.answers
    print(f"{len(answers)} requests in {seconds:.1f} s: {len(answers) / seconds:.1f} requests/s\n")
    print(f"{'endpoint':<24} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}  answers by status")
    for label in sorted({a.label for a in answers}):
        mine = [a for a in answers if a.label == label]
        latencies = [a.seconds * 1000 for a in mine]
        statuses = ", ".join(f"{s or 'none'}: {n}" for s, n in sorted(Counter(a.status for a in mine).items()))
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        print(f"{label:<24} {len(mine):>8} {p50:>8.0f} {p95:>8.0f}  {statuses}")
    retried = sum((rep.retried for rep in reps), Counter())
    server_errors = sum(1 for a in answers if a.status >= 500 and a.status != 503 or a.status == 0)
    print(
        f"\nwaited out and sent again: {dict(retried) or 'none'}; server errors (5xx but 503, or no answer): {server_errors}"
    )
    return server_errors


def psql(url: str, sql: str) -> list[list[str]]:
    out = subprocess.run(["psql", url, "-tAF", "\t", "-c", sql], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def id_list(ids) -> str:
    """For ``IN (...)``: the ids are integers this script read from the API's answers."""
    return ",".join(str(int(i)) for i in ids) or "0"


def statuses(url: str, ids: list[int]) -> Counter:
    if not ids:
        return Counter()
    rows = psql(
        url,
        f"SELECT status, count(*) FROM champions_champion WHERE id IN ({id_list(ids)}) GROUP BY 1",  # noqa: S608
    )
    return Counter({status: int(count) for status, count in rows})


def drain(url: str, ids: list[int], limit: float) -> float:
    began = time.time()
    while time.time() - began < limit:
        counts = statuses(url, ids)
        print(f"  after {time.time() - began:>5.0f} s: {dict(sorted(counts.items()))}", flush=True)
        if sum(counts[s] for s in FINAL) == len(ids):
            break
        time.sleep(min(15.0, max(1.0, limit - (time.time() - began))))
    return time.time() - began


def check_champions(url: str, reps: list[Rep]) -> int:
    uploaded = [i for rep in reps for i in rep.uploaded]
    analysed = {i for rep in reps for i in rep.analysed}
    owned = psql(
        url,
        "SELECT count(*) FROM champions_champion c JOIN accounts_user u ON u.id = c.owner_id "
        "WHERE u.email LIKE 'rep%@chaos.championclone.test'",
    )[0][0]
    counts = statuses(url, uploaded)
    lost = len(uploaded) - sum(counts.values()) + sum(counts[s] for s in counts if s not in FINAL + WAITING)
    print(
        f"uploads answered 201: {len(uploaded)} ({len(set(uploaded))} distinct ids); the reps' champions in the "
        f"database: {owned}; analyses answered 202: {len(analysed)}"
    )
    print(f"their status: {dict(sorted(counts.items()))}; lost (no row, or never queued): {lost}")
    reasons = psql(
        url,
        f"SELECT error, count(*) FROM champions_champion WHERE status = 'failed' AND id IN ({id_list(uploaded)}) "  # noqa: S608
        "GROUP BY 1",
    )
    for reason, count in reasons:
        print(f"  failed x{count}: {reason[:150]}")
    return lost + abs(int(owned) - len(uploaded))


def check_replies(url: str, reps: list[Rep]) -> int:
    answered = sum((rep.replies_by_session for rep in reps), Counter())
    in_sessions = f"AND session_id IN ({id_list(answered)})"
    rows = psql(
        url,
        f"SELECT session_id, count(*) FROM training_sessionmessage WHERE role = 'trainee' {in_sessions} GROUP BY 1",  # noqa: S608
    )
    stored = Counter({int(session): int(count) for session, count in rows})
    total = psql(url, "SELECT count(*) FROM training_sessionmessage WHERE role = 'trainee'")[0][0]
    wrong = sum(1 for session in answered | stored if answered[session] != stored[session])
    print(
        f"replies answered 200: {sum(answered.values())} in {len(answered)} sessions; stored: {sum(stored.values())} "
        f"(all sessions: {total}); sessions whose stored count differs: {wrong}"
    )
    return wrong + abs(int(total) - sum(answered.values()))


def free_redis_database() -> int:
    for number in range(15, 4, -1):
        if redis.Redis(db=number).dbsize() == 0:
            return number
    raise SystemExit("no empty Redis database among 5-15")


def run(args: argparse.Namespace) -> int:
    number = free_redis_database()
    with tempfile.TemporaryDirectory(prefix="chaos-load-") as tmp, common.postgres_database("chaos_load") as url:
        work = Path(tmp)
        try:
            env = common.product_env(work, url, redis_url=f"redis://127.0.0.1:6379/{number}")
            common.manage(env, "migrate", "--noinput")
            seeded = common.seed(env, "load", str(args.users))
            clips = common.synthesized_clips(work, 4, turns=3)
            print(
                f"{args.users} users, {args.uploads} uploads of {len(clips)} synthesized clips "
                f"({min(map(len, clips)) // 1024}-{max(map(len, clips)) // 1024} KB), {args.replies} replies; "
                f"gunicorn 2 workers, 2 Celery workers (concurrency 1), PostgreSQL, Redis db {number}\n"
            )
            port = common.free_port()
            with common.gunicorn(port, log_dir=work, env=env), common.celery_workers(2, log_dir=work, env=env):
                reps, seconds = drive(port, seeded, clips, args)
                failures = report_http(reps, seconds)
                print(f"\nthe pipeline, waiting up to {args.drain_seconds:.0f} s:")
                drained = drain(url, [i for rep in reps for i in rep.analysed], args.drain_seconds)
                print(f"waited {drained:.0f} s\n")
                failures += check_champions(url, reps) + check_replies(url, reps)
            errors = psql(
                url, "SELECT count(*), error_type, source, left(message, 160) FROM adminpanel_errorlog GROUP BY 2, 3, 4"
            )
            print(f"ErrorLog rows: {sum(int(row[0]) for row in errors)}")
            for count, error_type, source, message in errors:
                print(f"  x{count} {error_type} from {source or 'a request'}: {message}")
            return failures
        finally:
            redis.Redis(db=number).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--drain-seconds", type=float, default=600.0, help="how long to wait for the pipeline")
    args = parser.parse_args()
    failures = run(args)
    print("\nRESULT:", "nothing lost, no server error" if not failures else f"{failures} problems (see above)")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
