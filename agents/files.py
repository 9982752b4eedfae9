"""File helpers shared by the engines."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of_file(path: Path) -> str:
    """The file's sha256 as hex, read a megabyte at a time: the pinned model files run to
    hundreds of megabytes and need not sit in memory to be checked."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
