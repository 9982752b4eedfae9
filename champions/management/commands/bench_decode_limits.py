"""``python manage.py bench_decode_limits``: recordings that lie about their length, fed to the
upload (``POST /upload``) and the spoken reply (``POST /training/respond``) through the API.

The decompression bombs are made on the fly (``agents.testing.lying_recordings``: 8 kHz FLAC in
Matroska whose header declares 10 s), as the attack ran: 3 MB decoding to 3 hours for the
upload, 347 KB decoding to 415 s and a 17-minute one for the reply, plus for each one that
FLAC's longest frames make tiny (48 KB for 2 h, 4 KB for 10 min) and an honest upload. Each
request runs in a process of its own, forked from a warmed-up one, and prints the answer
(status and message), its wall time, how far its resident memory rose above the process's
(the high-water mark, ``getrusage``) and the peak of Python's allocations (tracemalloc,
numpy's included), then whether anything was left behind. A benchmark, not a test: figures depend on the machine
(README, "Recordings that lie about their length").
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_pair_for
from agents.audio.decode import probe
from agents.testing.lying_recordings import LONGEST_FRAME, write_lying_recording
from champions.models import Champion
from champions.scripted import champion_from_script
from core.commands import DatabaseCommand

BENCH_EMAIL = "bench-decode@bench.championclone.test"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    route: str  # "upload" or "reply"
    label: str
    true_seconds: float
    size_bytes: int | None = None
    frame_samples: int = 4096
    honest: bool = False  # a header declaring the true length, for comparison

    def write(self, folder: Path) -> Path:
        declared = self.true_seconds if self.honest else 10.0
        return Path(
            write_lying_recording(
                folder / f"{self.route}-{self.true_seconds:g}.mkv",
                true_seconds=self.true_seconds,
                declared_seconds=declared,
                size_bytes=self.size_bytes,
                frame_samples=self.frame_samples,
            )
        )


CASES = (
    Case("upload", "3 MB FLAC declaring 10 s, decoding to 3 h", 3 * 3600, 3_000_000),
    Case("upload", "48 KB FLAC declaring 10 s, decoding to 2 h", 2 * 3600, frame_samples=LONGEST_FRAME),
    Case("upload", "honest: 1 MB FLAC declaring its 1 h", 3600, 1_000_000, honest=True),
    Case("reply", "347 KB FLAC declaring 10 s, decoding to 415 s", 415, 347_000),
    Case("reply", "850 KB FLAC declaring 10 s, decoding to 17 min", 17 * 60, 850_000),
    Case("reply", "4 KB FLAC declaring 10 s, decoding to 10 min", 10 * 60, frame_samples=LONGEST_FRAME),
)


def _post(client: APIClient, case: Case, path: Path, session_id: int):
    with path.open("rb") as handle:
        if case.route == "upload":
            return client.post("/upload", {"file": handle}, format="multipart")
        return client.post("/training/respond", {"session_id": session_id, "audio": handle}, format="multipart")


def _answer(response) -> str:
    body = response.json()
    fields = body.get("fields") or {}
    for name in ("file", "audio"):
        if fields.get(name):
            return fields[name][0]
    if response.status_code < 300:
        seconds = body.get("duration_seconds")
        return f"accepted ({seconds:g} s recorded)" if seconds is not None else "accepted"
    return str(body.get("detail", ""))[:160]


def _warm_up(client: APIClient, scratch: Path, session_id: int) -> None:
    """Both routes once with a file that is not audio and once with a small bomb (refused for
    its density once the decoder, the resampler and the WAV writer were set up): what a first
    request loads, or a forked process first touches, is not counted against a case."""
    junk = scratch / "junk.mkv"
    junk.write_bytes(b"not audio at all " * 64)
    for route in ("upload", "reply"):
        small = Case(route, "warm-up", 600, frame_samples=LONGEST_FRAME)
        _post(client, small, junk, session_id)
        _post(client, small, small.write(scratch), session_id)


def _measure_in_child(token: str, case: Case, path: str, session_id: int, results: multiprocessing.Queue) -> None:
    try:
        results.put(_measure_here(token, case, Path(path), session_id))
    except BaseException as exc:  # the parent waits on the queue: it must hear of a failure too
        results.put({"error": repr(exc)})
        raise


def _measure_here(token: str, case: Case, path: Path, session_id: int) -> dict:
    """One request timed with its resident memory's rise, then the same with tracemalloc."""
    connections.close_all()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with tempfile.TemporaryDirectory(prefix="warm-up-") as scratch:
        # A forked process counts the shared library pages it touches again: touch them first.
        _warm_up(client, Path(scratch), session_id)
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = _post(client, case, path, session_id)
    wall = time.perf_counter() - started
    rss_rise = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - high_water) * 1024 / MIB
    tracemalloc.start()
    _post(client, case, path, session_id)
    traced_peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    return {
        "status": response.status_code,
        "answer": _answer(response),
        "wall": wall,
        "rss": rss_rise,
        "traced": traced_peak,
    }


class Command(DatabaseCommand):
    help = "Feed recordings that lie about their length to the upload and the spoken reply; print what each cost."

    def handle(self, *args, **options) -> None:
        logging.disable(logging.WARNING)  # one log line per request would bury the table
        with tempfile.TemporaryDirectory(prefix="bench-decode-") as scratch:
            media = Path(scratch) / "media"
            with override_settings(MEDIA_ROOT=str(media), RATELIMIT_ENABLE=False, ALLOWED_HOSTS=["testserver"]):
                owner, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"full_name": "Benchmark"})
                try:
                    self._run(owner, Path(scratch), media)
                finally:
                    owner.delete()

    def _run(self, owner: User, scratch: Path, media: Path) -> None:
        token = token_pair_for(owner).access_token
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        champion = champion_from_script(owner)
        session_id = client.post("/training/start", {"champion_id": champion.pk}, format="json").json()["session"]["id"]
        _warm_up(client, scratch, session_id)
        self.stdout.write(
            f"{'':7}{'case':50} {'size':>9} {'declared':>9} {'status':>6} {'wall s':>7} {'RSS +MiB':>9} {'traced MiB':>10}"
        )
        for case in CASES:
            path = case.write(scratch)
            before = _left_behind(client, owner, session_id, media)
            result = self._measure(token, case, path, session_id)
            rows, files = (
                after - was for after, was in zip(_left_behind(client, owner, session_id, media), before, strict=True)
            )
            self.stdout.write(
                f"{case.route:7}{case.label:50} {_size(path):>9} {probe(path).duration:>8.0f}s {result['status']:>6} "
                f"{result['wall']:>7.3f} {result['rss']:>9.1f} {result['traced']:>10.2f}"
            )
            # Each case is posted twice (timed, then traced): an accepted one leaves two of each.
            left = f"{rows} row(s) and {files} file(s) from its two posts" if rows or files else "nothing left behind"
            self.stdout.write(f"{'':7}→ {result['answer']} ({left})")
            path.unlink()

    def _measure(self, token: str, case: Case, path: Path, session_id: int) -> dict:
        context = multiprocessing.get_context("fork")
        queue: multiprocessing.Queue = context.Queue()
        connections.close_all()
        child = context.Process(target=_measure_in_child, args=(token, case, str(path), session_id, queue))
        child.start()
        result = queue.get()
        child.join()
        if "error" in result:
            raise CommandError(f"{case.label}: {result['error']}")
        return result


def _left_behind(client: APIClient, owner: User, session_id: int, media: Path) -> tuple[int, int]:
    """The owner's champions and the session's turns (read through the API: training is an
    app above this one), and the files in media."""
    turns = len(client.get(f"/training/sessions/{session_id}").json()["messages"])
    rows = Champion.objects.filter(owner=owner).count() + turns
    files = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    return rows, files


def _size(path: Path) -> str:
    """In decimal units, as file sizes are quoted (3 MB = 3,000,000 bytes)."""
    size = os.path.getsize(path)
    return f"{size / 1e6:.2f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"
