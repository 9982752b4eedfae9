"""The folder the processes' metrics live in (``PROMETHEUS_MULTIPROC_DIR``), and its upkeep.

prometheus-client gives every process its own files (``counter_<pid>.db``, ...) and sums them
all at scrape time. A process that exits leaves its files behind: deleting them would make the
summed counters go down (Prometheus would read a reset and ``rate()`` would spike), keeping
them all grows the folder with every restart. So when a process starts, the counter and
histogram files of processes that are gone are added into one archive file per kind and
removed: the totals stay monotonic and the folder holds one file per live process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_PER_PROCESS_FILE = re.compile(r"^(?P<kind>counter|histogram)_(?P<pid>\d+)\.db$")
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w*?_(?P<pid>\d+)\.db$")
ARCHIVE_PID = "archive"  # the collector reads the kind before the first "_" and ignores the rest


def configured_directory() -> Path | None:
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    return Path(value) if value else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@contextlib.contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """Two processes starting at once must not both add the same dead process's counts."""
    with open(directory / ".compact.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def dead_process_files(directory: Path) -> tuple[dict[str, list[Path]], list[Path]]:
    """Counter and histogram files per kind, and live-gauge files, of processes that are gone."""
    archivable: dict[str, list[Path]] = defaultdict(list)
    live_gauges: list[Path] = []
    for entry in directory.iterdir():
        if (match := _PER_PROCESS_FILE.match(entry.name)) and not pid_alive(int(match["pid"])):
            archivable[match["kind"]].append(entry)
        elif (match := _LIVE_GAUGE_FILE.match(entry.name)) and not pid_alive(int(match["pid"])):
            live_gauges.append(entry)
    return archivable, live_gauges


def _add_into_archive(archive: Path, files: list[Path]) -> None:
    totals: dict[str, float] = defaultdict(float)
    for path in files:
        for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(str(path)):
            totals[key] += value
    store = MmapedDict(str(archive))
    try:
        for key, value in totals.items():
            current, timestamp = store.read_value(key)
            store.write_value(key, current + value, timestamp)
    finally:
        store.close()


def compact(directory: Path) -> int:
    """Folds the files of dead processes into the archives; returns how many were removed."""
    with _folder_lock(directory):
        archivable, live_gauges = dead_process_files(directory)
        for kind, files in archivable.items():
            _add_into_archive(directory / f"{kind}_{ARCHIVE_PID}.db", files)
        removed = [*live_gauges, *(path for files in archivable.values() for path in files)]
        for path in removed:
            path.unlink(missing_ok=True)
    return len(removed)


def prepare(directory: Path) -> None:
    """Creates the folder and tidies it; called once per process as Django starts."""
    directory.mkdir(parents=True, exist_ok=True)
    compact(directory)
