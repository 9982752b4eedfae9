"""The beat task of training: idle sessions become abandoned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.tasks import enqueue
from training.models import TrainingSession
from training.tasks import abandon_idle_sessions
from training.tests.factories import TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_the_task_abandons_idle_sessions_and_says_how_many(user, settings):
    settings.TRAINING_IDLE_MINUTES = 30
    idle = TrainingSessionFactory(user=user, last_activity_at=timezone.now() - timedelta(minutes=45))
    fresh = TrainingSessionFactory(user=user)

    assert abandon_idle_sessions.apply().get() == 1

    assert TrainingSession.objects.get(pk=idle.pk).status == "abandoned"
    assert TrainingSession.objects.get(pk=fresh.pk).status == "active"


def test_beat_finds_the_task_by_the_name_it_schedules(user, settings):
    settings.TRAINING_IDLE_MINUTES = 30
    idle = TrainingSessionFactory(user=user, last_activity_at=timezone.now() - timedelta(minutes=45))
    name = settings.CELERY_BEAT_SCHEDULE["abandon-idle-training-sessions"]["task"]

    enqueue(name)  # eager in the tests: the worker's lookup by name, run here

    assert TrainingSession.objects.get(pk=idle.pk).status == "abandoned"
