"""Training on /metrics (README.md, "Monitoring"): the respond latency per coach, the judge's
latency per judge, and the replies the offline judge scored because Claude did not answer."""

from __future__ import annotations

import pytest

from agents.testing.wire import LocalVendorServer, Reply
from champions.scripted import champion_from_script
from conftest import authenticated_client
from core.testing.metrics import recorded
from training.tests.test_api import respond, start, strong_reply

pytestmark = pytest.mark.django_db

RESPOND = "champion_clone_training_respond_duration_seconds_count"
JUDGE = "champion_clone_judge_duration_seconds_count"
FALLBACKS = "champion_clone_judge_fallbacks_total"


@pytest.fixture
def champion(user):
    return champion_from_script(user)


def _two_replies(user, champion) -> None:
    client = authenticated_client(user)
    session = start(client, champion.pk).json()["session"]
    for _ in range(2):
        response = respond(client, session["id"], strong_reply(session))
        assert response.status_code == 200, response.content
        session = response.json()["session"]


def test_each_reply_records_the_respond_and_judge_latency_of_the_offline_coach(user, champion):
    responds, judges = recorded(RESPOND, coach="offline"), recorded(JUDGE, judge="offline")
    fallbacks = recorded(FALLBACKS, judge="offline")
    _two_replies(user, champion)
    assert recorded(RESPOND, coach="offline") - responds == 2
    assert recorded(JUDGE, judge="offline") - judges == 2
    assert recorded(FALLBACKS, judge="offline") == fallbacks


def test_a_refused_reply_is_not_timed(user, champion):
    client = authenticated_client(user)
    session = start(client, champion.pk).json()["session"]
    before = recorded(RESPOND, coach="offline")
    assert respond(client, session["id"], "").status_code == 400
    assert recorded(RESPOND, coach="offline") == before


def test_every_reply_claude_did_not_judge_is_counted_as_a_fallback(user, champion, settings):
    refusal = Reply.json({"type": "error", "error": {"type": "authentication_error", "message": "bad key"}}, status=401)
    with LocalVendorServer() as server:
        server.route("POST", r"/v1/messages", refusal)
        settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL = "sk-ant-revoked", server.url
        settings.VENDOR_MAX_RETRIES = 0
        fallbacks, judges = recorded(FALLBACKS, judge="anthropic"), recorded(JUDGE, judge="anthropic")
        _two_replies(user, champion)
    assert recorded(FALLBACKS, judge="anthropic") - fallbacks == 2
    assert recorded(JUDGE, judge="anthropic") - judges == 2
