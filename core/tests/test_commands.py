"""Operators' commands on a database that is not ready: one clear line and exit status 1, no
traceback, nothing written."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

# Every command of the apps that reads or writes the app's tables, with arguments that would
# make it run (and write) on a migrated database.
DATABASE_COMMANDS = [
    ("purge_logs", "--dry-run"),
    ("create_admin", "--email", "ops@example.com", "--generate"),
    ("seed_demo",),
    ("rebuild_vector_index",),
]


def run_manage(*args: str, database_url: str, var_dir) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VAR_DIR", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, "DEBUG": "true", "VAR_DIR": str(var_dir), "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=lambda c: c[0])
def test_a_command_on_a_database_never_migrated_says_to_migrate(tmp_path, command):
    database = tmp_path / "fresh.sqlite3"
    result = run_manage(*command, database_url=f"sqlite:///{database}", var_dir=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "unapplied migration(s): run `python manage.py migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(database) as fresh:
        assert fresh.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (0,)


def test_a_command_on_a_database_that_does_not_answer_says_so_without_the_password(tmp_path):
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
    result = run_manage(
        "purge_logs", "--dry-run", database_url="postgres://ops:s3cret-pw@127.0.0.1:9/app", var_dir=tmp_path
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the database (postgresql 127.0.0.1:9/app) cannot be reached" in result.stderr
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_a_command_on_the_migrated_database_runs(capsys):
    call_command("purge_logs", "--dry-run")
    assert "would delete" in capsys.readouterr().out
