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
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
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


def test_production_refuses_wildcard_hosts():
    result = run_manage("check", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_pipeline_steps_go_to_the_pipeline_queue_and_everything_else_to_light():
    from champion_clone.celery import app

    def queue_of(task_name: str) -> str:
        return app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("champions.tasks.transcribe") == "pipeline"
    # The sweeper must not wait behind an hour of transcription on the pipeline queue.
    assert queue_of("champions.tasks.resume_stalled_analyses") == "light"
    assert queue_of("emails_app.tasks.send_lifecycle_email") == "light"
    assert queue_of("webhooks_app.tasks.fan_out_event") == "light"
    assert queue_of("accounts.tasks.flush_expired_tokens") == "light"
