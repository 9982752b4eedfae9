"""The beat task that flushes expired tokens (simplejwt's own cleanup)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.tasks import flush_expired_tokens
from accounts.tokens import token_pair_for

pytestmark = pytest.mark.django_db


def test_expired_tokens_are_flushed_and_live_ones_kept(user):
    token_pair_for(user)
    token_pair_for(user)
    expired, live = OutstandingToken.objects.filter(user=user).order_by("id")
    BlacklistedToken.objects.create(token=expired)
    OutstandingToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    flush_expired_tokens.apply().get()

    assert list(OutstandingToken.objects.filter(user=user).values_list("pk", flat=True)) == [live.pk]
    assert not BlacklistedToken.objects.filter(token_id=expired.pk).exists()


def test_beat_schedules_the_task_by_its_registered_name(settings):
    from champion_clone.celery import app

    name = settings.CELERY_BEAT_SCHEDULE["flush-expired-tokens"]["task"]
    assert name in app.tasks and app.tasks[name].name == flush_expired_tokens.name
