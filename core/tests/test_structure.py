"""The sizes a newcomer can hold in their head (README.md, "Architecture"): no production
module over 400 lines, no function over 60. Tests, migrations and data are not counted."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
SKIPPED_PARTS = {".venv", "var", "migrations", "tests", "node_modules", ".git"}


def production_modules() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [
        path
        for path in sorted(root.rglob("*.py"))
        if not SKIPPED_PARTS.intersection(path.relative_to(root).parts) and path.parent != root
    ]


def test_there_are_production_modules_to_check() -> None:
    assert len(production_modules()) > 100


def test_no_production_module_is_over_400_lines() -> None:
    too_long = {
        str(path): lines
        for path in production_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_function_is_over_60_lines() -> None:
    too_long = {}
    for path in production_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long[f"{path}:{node.lineno} {node.name}"] = length
    assert too_long == {}
