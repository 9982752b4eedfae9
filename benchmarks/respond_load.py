"""The reps of the API benchmark's respond part (``bench_api.py``): each on its own HTTP
connection, replying turn after turn in its own session, every reply a text no other reply of
the run has unless told to repeat five."""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import sys
import threading
import time
from pathlib import Path

# What the reps say, in turn: objection answers, a question, a close, and a weak "ok".
REPLIES = (
    "I understand, price matters. What does a late delivery cost you today in lost customers?",
    "That is a fair concern. We can start with one depot and prove the value in two weeks.",
    "ok",
    "Could you tell me more about how your drivers plan their routes in the busy season?",
    "As a next step, can we book thirty minutes on Tuesday with your operations director?",
)
OPENERS = ("I hear you.", "Fair point.", "That makes sense.", "Understood.", "Good question.")


def varied_reply(number: int) -> str:
    """The ``number``-th reply of a run, a text no other reply of the run has: the engines
    remember the vectors of the texts they embedded, so repeated replies would be timed from
    that memo instead of the model (``--fixed-replies`` times exactly that)."""
    reply = REPLIES[number % len(REPLIES)]
    return f"{OPENERS[(number // len(REPLIES)) % len(OPENERS)]} {reply} We plan {number + 3} routes a day."


def novel_reply(number: int) -> str:
    """The ``number``-th reply of a run with every clause new: none of its three sentences is
    in any other reply of the run, so none is served from the engines' memo (a rep's own words;
    ``varied_reply`` repeats the openers and answers around its one new sentence)."""
    return (
        f"I hear you about the {number + 3} late vans. What would {number + 7} missed deliveries cost you "
        f"this quarter? We could pilot it on {number + 11} routes first."
    )


# The replies the reps send: ``varied`` and ``novel`` a different text every time, ``fixed``
# five texts in turn.
MIXES = {"varied": varied_reply, "novel": novel_reply}

REP_NUMBERS = itertools.count()
REPOSITORY = Path(__file__).resolve().parent.parent


class Rep:
    """One rep on its own connection: replies in its own session, ends it when the
    conversation is over and begins another."""

    def __init__(self, port: int, token: str, champion_id: int, offset: int, *, mix: str = "varied") -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.champion_id, self.session_id = champion_id, None
        self.replies = (
            itertools.cycle(REPLIES[offset % len(REPLIES) :] + REPLIES[: offset % len(REPLIES)])
            if mix == "fixed"
            else map(MIXES[mix], itertools.count(offset * 1_000_000))
        )
        self.latencies_ms: list[float] = []
        self.failures = 0

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        self.connection.request("POST", path, json.dumps(body), self.headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def reply(self) -> None:
        if self.session_id is None:
            _, started = self.post("/training/start", {"champion_id": self.champion_id})
            self.session_id = started["session"]["id"]
        began = time.perf_counter()
        status, body = self.post("/training/respond", {"session_id": self.session_id, "message": next(self.replies)})
        self.latencies_ms.append((time.perf_counter() - began) * 1000)
        self.failures += status != 200
        if status != 200 or body["session"]["outcome"]:
            self.post("/training/end", {"session_id": self.session_id})
            self.session_id = None


def drive_reps(port: int, seed: dict, reps: int, seconds: float, *, mix: str = "varied") -> dict:
    # Numbered across runs: the 20 reps' texts are none of the single rep's.
    crew = [Rep(port, seed["token"], seed["long_champion_id"], next(REP_NUMBERS), mix=mix) for _ in range(reps)]
    deadline = time.perf_counter() + seconds

    def run(rep: Rep) -> None:
        while time.perf_counter() < deadline:
            rep.reply()

    threads = [threading.Thread(target=run, args=(rep,)) for rep in crew]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = sorted(ms for rep in crew for ms in rep.latencies_ms)
    return {
        "replies": len(latencies),
        "p50_ms": latencies[len(latencies) // 2],
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "failures": sum(rep.failures for rep in crew),
    }


def model_time_of_replies(mix: str, samples: int = 20) -> tuple[float, float]:
    """The embedding model's time, on one core of this machine, for what the judge embeds of a
    reply of ``mix`` (the reply, then its clauses in one batch: ``meaning._reply_vectors``)
    through the engines' memo as the server has it (the ``varied`` mix's repeated openers and
    answers are remembered after its first 25 replies), and the tokens the model reads: the
    median over ``samples`` replies, run in this process while the server is idle. A gauge of
    the machine, printed beside the figures: N reps on W workers queue at least N / W times it a
    reply, whatever the rest of the stack costs."""
    if str(REPOSITORY) not in sys.path:
        sys.path.insert(0, str(REPOSITORY))  # the engines, imported from the bench's own process
    from agents.providers.embeddings import Embedder
    from agents.reasoning.judge.meaning import MAX_REPLY_UNITS, clauses_of
    from agents.reasoning.listening.vectors import MemoEmbedder

    model = Embedder(intra_op_threads=1)
    memo = MemoEmbedder(model)
    warm_up = 1 + (len(REPLIES) * len(OPENERS) if mix == "varied" else 0)
    seen: set[tuple[int, ...]] = set()
    timings, tokens = [], []
    for number in range(10**9, 10**9 + warm_up + samples):
        text = MIXES[mix](number)
        clauses = clauses_of(text, at_most=MAX_REPLY_UNITS)
        keys = model.token_keys([text, *clauses])
        began = time.perf_counter()
        memo.embed([text])
        memo.embed(clauses)
        timings.append((time.perf_counter() - began) * 1000)
        tokens.append(sum(len(key) for key in dict.fromkeys(keys) if key not in seen))
        seen.update(keys)
    return statistics.median(timings[warm_up:]), statistics.mean(tokens[warm_up:])
