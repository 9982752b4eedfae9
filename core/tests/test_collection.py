"""Every test in the repository runs: `make test` and CI collect pytest.ini's ``testpaths``
only, so a package of tests missing from that list is never run, and cannot fail."""

from __future__ import annotations

import configparser
from pathlib import Path

from django.conf import settings

SKIPPED = {".venv", "var", "node_modules", ".git"}


def test_every_package_holding_tests_is_in_the_testpaths() -> None:
    root = Path(settings.BASE_DIR)
    config = configparser.ConfigParser()
    config.read(root / "pytest.ini")
    collected = set(config["pytest"]["testpaths"].split())
    # Top-level folders only: the virtualenv's own packages' tests are not walked at all.
    holding_tests = {
        folder.name
        for folder in root.iterdir()
        if folder.is_dir() and folder.name not in SKIPPED and next(folder.rglob("test_*.py"), None)
    }
    assert holding_tests, "no test found: the search is wrong"
    assert holding_tests - collected == set()
