"""With a language-model judge, the same reply at the same stage of the same scenario gets the
score it got the first time (a rep who replays a session is not scored anew); a new reply, a new
stage or an answer of the stand-in offline judge is not taken from the cache. Claude is a local
server speaking Anthropic's protocol whose scores change on every call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.reasoning.judge import WEIGHTS
from agents.testing.prospect import claude_tool_reply
from agents.testing.wire import LocalVendorServer, RecordedRequest, Reply
from champions.scripted import champion_from_script
from training import services
from training.services.judgements import normalized_reply

pytestmark = pytest.mark.django_db

QUESTION = "What matters most to you in a helpdesk tool?"


REFUSAL = Reply.json({"type": "error", "error": {"type": "authentication_error", "message": "bad key"}}, status=401)


class DriftingClaude:
    """Answers the coach's tools; each judgement scores ten points above the previous one.
    While ``refusing``, every request gets a 401, as with a revoked key."""

    def __init__(self) -> None:
        self.judgements = 0
        self.refusing = False

    def __call__(self, request: RecordedRequest) -> Reply:
        if self.refusing:
            return REFUSAL
        body = request.json()
        tool = body["tool_choice"]["name"]
        if tool == "score_reply":
            self.judgements += 1
            shown = body["tools"][0]["input_schema"]["properties"]["reference_index"].get("enum") or [None]
            value = min(100, 20 + 10 * self.judgements)
            judgement = {"criteria": dict.fromkeys(WEIGHTS, value), "feedback": ["Ask about their numbers."]}
            return claude_tool_reply(tool, {**judgement, "reference_index": shown[0]})
        if tool == "open_call":
            return claude_tool_reply(tool, {"line": "Hello. The price is my problem."})
        return claude_tool_reply(tool, {"objection_handled": False, "line": "Go on."})


@pytest.fixture
def champion(user):
    return champion_from_script(user)  # analysed offline, before Claude is configured


@pytest.fixture
def claude(settings) -> Iterator[DriftingClaude]:
    drifting = DriftingClaude()
    with LocalVendorServer() as server:
        server.route("POST", r"/v1/messages", drifting)
        settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL = "sk-ant-test", server.url
        settings.VENDOR_MAX_RETRIES = 0
        yield drifting


def first_reply_score(user, champion, message: str) -> int:
    session = services.session_start(user=user, champion_id=champion.pk)
    result = services.session_respond(user=user, session_id=session.pk, message=message)
    assert result.trainee_message.judge == "anthropic"
    return result.trainee_message.score


def test_a_replayed_reply_gets_the_score_it_got_the_first_time(user, champion, claude):
    first = first_reply_score(user, champion, QUESTION)
    replayed = first_reply_score(user, champion, f"  {QUESTION.upper()} ")

    assert replayed == first
    assert claude.judgements == 1


def test_another_reply_is_judged_afresh(user, champion, claude):
    first = first_reply_score(user, champion, QUESTION)
    other = first_reply_score(user, champion, "How does your team handle a busy Monday?")

    assert other != first
    assert claude.judgements == 2


def test_an_evaluation_of_the_stand_in_offline_judge_is_not_remembered(user, champion, claude):
    claude.refusing = True
    session = services.session_start(user=user, champion_id=champion.pk)
    fallback = services.session_respond(user=user, session_id=session.pk, message=QUESTION)
    assert fallback.trainee_message.judge == "offline"

    claude.refusing = False  # the key works again: the reply is judged by Claude
    assert first_reply_score(user, champion, QUESTION) == 30
    assert claude.judgements == 1


def test_a_reply_is_compared_whatever_its_case_unicode_form_and_spacing():
    assert normalized_reply("  What   MATTERS\u00a0most? ") == normalized_reply("what matters most?")
