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
    holding_tests = {
        path.relative_to(root).parts[0]
        for path in root.rglob("test_*.py")
        if not SKIPPED.intersection(path.relative_to(root).parts)
    }
    assert holding_tests, "no test found: the search is wrong"
    assert holding_tests - collected == set()
