"""Production settings: refuse to start without secrets, and pass the deploy check."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789-abcdefgh",
    "ALLOWED_HOSTS": "champion.example.com",
    "DATABASE_URL": "sqlite:////tmp/champion-clone-deploy-check.sqlite3",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "VAR_DIR"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_stops_with_a_clear_message():
    env = {**PRODUCTION_ENV}
    env.pop("SECRET_KEY")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


PRINT_SETTINGS = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"


def test_with_no_environment_at_all_the_server_is_a_production_one_and_stops_without_a_key(tmp_path):
    result = run_manage("shell", "--verbosity", "0", "-c", PRINT_SETTINGS, env={"VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG is false, so SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_development_makes_its_own_key_once_and_keeps_it_private(tmp_path):
    first = run_manage(
        "shell", "--verbosity", "0", "-c", PRINT_SETTINGS, env={"DEBUG": "true", "VAR_DIR": str(tmp_path / "one")}
    )
    again = run_manage(
        "shell", "--verbosity", "0", "-c", PRINT_SETTINGS, env={"DEBUG": "true", "VAR_DIR": str(tmp_path / "one")}
    )
    other = run_manage(
        "shell", "--verbosity", "0", "-c", PRINT_SETTINGS, env={"DEBUG": "true", "VAR_DIR": str(tmp_path / "two")}
    )
    assert first.returncode == again.returncode == other.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "True" and len(key) >= 50
    assert again.stdout == first.stdout  # kept across restarts
    assert other.stdout.split()[1] != key  # two installs never share a key
    key_file = tmp_path / "one" / "secret_key"
    assert key_file.read_text() == key
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_a_configured_key_wins_and_no_key_file_is_written(tmp_path):
    env = {"DEBUG": "true", "VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 60}
    result = run_manage("shell", "--verbosity", "0", "-c", PRINT_SETTINGS, env=env)
    assert result.stdout.split() == ["True", "x" * 60]
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_wildcard_hosts():
    result = run_manage("check", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_pipeline_steps_go_to_the_pipeline_queue_and_everything_else_to_light():
    from champion_clone.celery import app

    def queue_of(task_name: str) -> str:
        return app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("champions.tasks.run_pipeline_step") == "pipeline"
    # The sweeper must not wait behind an hour of transcription on the pipeline queue.
    assert queue_of("champions.tasks.resume_stalled_analyses") == "light"
    assert queue_of("emails_app.tasks.send_lifecycle_email") == "light"
    assert queue_of("webhooks_app.tasks.fan_out_event") == "light"
    assert queue_of("accounts.tasks.flush_expired_tokens") == "light"


DOCS_CHECK = """
import re
from django.test import Client
client = Client(HTTP_HOST="champion.example.com")
page = client.get("/api/docs/", secure=True)
print(page.status_code)
asset = re.search(r'(/static/[^"]+swagger-ui[^"]*\\.css)', page.content.decode()).group(1)
print(client.get(asset, secure=True).status_code)
print(client.get("/api/schema/", secure=True).status_code)
"""


def test_api_docs_work_with_debug_off_after_the_documented_collectstatic(tmp_path):
    env = {**PRODUCTION_ENV, "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    collected = run_manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    result = run_manage("shell", "--verbosity", "0", "-c", DOCS_CHECK, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "200"]
