"""Each stored evaluation records the judge that produced it and the judge's version; the
evaluations stored before versions existed are version "1" of the judge they name."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION
from agents.testing.wire import LocalVendorServer, Reply
from champions.scripted import champion_from_script
from training import services
from training.models import SessionMessage
from training.tests.factories import SessionMessageFactory, TraineeMessageFactory

pytestmark = pytest.mark.django_db


def reply_once(user, champion=None) -> SessionMessage:
    champion = champion or champion_from_script(user)
    session = services.session_start(user=user, champion_id=champion.pk)
    return services.session_respond(
        user=user, session_id=session.pk, message="What matters most to you?"
    ).trainee_message


def test_an_offline_evaluation_records_the_offline_judges_version(user):
    stored = SessionMessage.objects.get(pk=reply_once(user).pk)
    assert (stored.judge, stored.judge_version) == ("offline", OFFLINE_JUDGE_VERSION)


def test_when_claude_does_not_answer_the_offline_version_is_recorded(user, settings):
    champion = champion_from_script(user)  # analysed offline, before the key is set
    refusal = Reply.json({"type": "error", "error": {"type": "authentication_error", "message": "bad key"}}, status=401)
    with LocalVendorServer() as server:
        server.route("POST", r"/v1/messages", refusal)
        settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL = "sk-ant-revoked", server.url
        settings.VENDOR_MAX_RETRIES = 0
        stored = SessionMessage.objects.get(pk=reply_once(user, champion).pk)
        assert server.requests_to(r"/v1/messages"), "the Claude judge was not asked"
    assert (stored.judge, stored.judge_version) == ("offline", OFFLINE_JUDGE_VERSION)


def test_the_migration_versions_the_evaluations_stored_before_it():
    migration = importlib.import_module("training.migrations.0002_evaluation_disputes")
    offline = TraineeMessageFactory(judge="offline", judge_version="")
    claude = TraineeMessageFactory(judge="anthropic", judge_version="")
    prospect = SessionMessageFactory(judge_version="")
    unscored = TraineeMessageFactory(score=None, judge="", judge_version="")

    migration.version_existing_evaluations(apps, None)

    versions = dict(SessionMessage.objects.values_list("pk", "judge_version"))
    assert (versions[offline.pk], versions[claude.pk]) == ("1", "1")
    assert (versions[prospect.pk], versions[unscored.pk]) == ("", "")
    assert SessionMessage.objects.get(pk=claude.pk).judge == "anthropic"
