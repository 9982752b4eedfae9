"""A real Celery worker process takes a real task from the broker and does its work."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.tasks import flush_expired_tokens
from champion_clone.celery import app as celery_app
from core.testing.worker import celery_worker, wait_for


def _run_flush_through_a_worker(user) -> None:
    expired = OutstandingToken.objects.create(
        user=user,
        jti="expired-jti",
        token="x",
        created_at=timezone.now() - timedelta(days=10),
        expires_at=timezone.now() - timedelta(days=3),
    )
    alive = OutstandingToken.objects.create(
        user=user,
        jti="alive-jti",
        token="y",
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=3),
    )
    with celery_worker() as (process, queue):
        flush_expired_tokens.apply_async(queue=queue)
        wait_for(
            lambda: not OutstandingToken.objects.filter(pk=expired.pk).exists() or process.poll() is not None,
            timeout=90,
            message="the worker to flush the expired token",
        )
        assert process.poll() is None, "the worker died"
    assert not OutstandingToken.objects.filter(pk=expired.pk).exists()
    assert OutstandingToken.objects.filter(pk=alive.pk).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_from_the_configured_broker(user):
    _run_flush_through_a_worker(user)


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_through_redis(user):
    assert celery_app.conf.broker_url.startswith("redis://")
    _run_flush_through_a_worker(user)
