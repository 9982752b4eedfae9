"""The disk under an upload full, for real (README.md, "Faults"): gunicorn (DEBUG off, SQLite)
with MEDIA_ROOT on a 1 MB tmpfs filled to the last few kilobytes, then with the temporary
folder (TMPDIR) on another full one. Uploads a synthesized clip into each, prints the answers,
and checks that no champion row and no partial file was left; then frees the room and uploads
again (201).

    .venv/bin/python chaos/disk_full.py

Needs root (``mount -t tmpfs``); both mounts are removed on the way out.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaos import common
from chaos.http_client import Answer, Client, Recorder, multipart

TMPFS_SIZE = "1m"
LEFT_FREE_BYTES = 16 * 1024


@contextmanager
def tiny_tmpfs(mount_point: Path) -> Iterator[Path]:
    mount_point.mkdir(parents=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)], check=False
    )
    if result.returncode:
        sys.exit("mount -t tmpfs failed (this script needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    """One filler file taking all but the last few kilobytes."""
    filler = folder / "filler.bin"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(descriptor)
    with filler.open("r+b") as out:
        out.truncate(max(0, filler.stat().st_size - LEFT_FREE_BYTES))
    return filler


def files_under(folder: Path, *, besides: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p != besides)


def upload(port: int, token: str, clip: bytes) -> Answer:
    body, content_type = multipart("call.m4a", clip, name="Disk full call")
    return Client(port, Recorder(), token=token).request("POST /upload", "POST", "/upload", body, content_type)


def show(label: str, answer: Answer) -> None:
    body = json.loads(answer.body) if answer.body.startswith(b"{") else answer.body[:80]
    shown = {k: body[k] for k in ("detail", "code") if k in body} if isinstance(body, dict) else body
    print(f"{label:<44} {answer.status}  {shown}")


def database_counts(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as db:
        champions = db.execute("SELECT count(*) FROM champions_champion").fetchone()[0]
        alerts = db.execute("SELECT count(*) FROM adminpanel_adminalert WHERE type = 'storage.media_full'").fetchone()[
            0
        ]
    return champions, alerts


def scenario(work: Path, full: Path, clip: bytes, *, media_on_full: bool) -> None:
    """One gunicorn whose MEDIA_ROOT (or TMPDIR) is the full tmpfs."""
    database = work / f"db-{media_on_full}.sqlite3"
    extra = {} if media_on_full else {"TMPDIR": str(full)}
    env = common.product_env(work, f"sqlite:///{database}", **extra)
    env["MEDIA_ROOT"] = str(full if media_on_full else work / "media")
    common.manage({**env, "TMPDIR": "/tmp"}, "migrate", "--noinput")  # noqa: S108 (the ordinary temporary folder)
    token = common.seed({**env, "TMPDIR": "/tmp"}, "staff")["token"]  # noqa: S108
    filler = fill(full)
    where = "MEDIA_ROOT" if media_on_full else "the temporary folder (TMPDIR)"
    print(f"\n{where} on a {TMPFS_SIZE} tmpfs, {LEFT_FREE_BYTES // 1024} KB free; clip {len(clip) // 1024} KB")
    port = common.free_port()
    with common.gunicorn(port, log_dir=work, name=f"gunicorn-{media_on_full}", env=env, workers=2):
        show("POST /upload on the full disk", upload(port, token, clip))
        show("POST /upload again", upload(port, token, clip))
        champions, alerts = database_counts(database)
        leftovers = files_under(full, besides=filler)
        print(f"  champion rows: {champions}; files left on the full disk: {leftovers}; media_full alerts: {alerts}")
        filler.unlink()
        show("POST /upload once there is room", upload(port, token, clip))
        print(f"  champion rows: {database_counts(database)[0]}")
        if not media_on_full:
            time.sleep(1)  # the server closes (deletes) a request's temporary files after sending the answer
            print(f"  files left in the temporary folder: {files_under(full, besides=filler)}")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="chaos-disk-") as tmp, ExitStack() as mounts:
        work = Path(tmp)
        clip = common.synthesized_clips(work, 1, turns=3)[0]
        print("gunicorn 2 workers, DEBUG off, SQLite")
        scenario(work, mounts.enter_context(tiny_tmpfs(work / "media-full")), clip, media_on_full=True)
        scenario(work, mounts.enter_context(tiny_tmpfs(work / "tmp-full")), clip, media_on_full=False)


if __name__ == "__main__":
    main()
