"""The sha256 of a file, read in blocks, is the digest of its bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from agents.files import sha256_of_file


def test_sha256_of_a_file_larger_than_one_block(tmp_path: Path) -> None:
    content = bytes(range(256)) * 5000  # 1.2 MB: more than one 1 MiB block
    path = tmp_path / "model.bin"
    path.write_bytes(content)

    assert sha256_of_file(path) == hashlib.sha256(content).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256_of_file(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()
