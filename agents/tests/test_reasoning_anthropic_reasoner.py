"""The Anthropic engine against a local server speaking the Messages protocol (no SDK patching).

The server on 127.0.0.1 answers ``POST /v1/messages`` from a script of responses: status,
headers, a real-shaped ``message`` with a ``tool_use`` block, or a delay longer than the client's
timeout. The SDK does its real HTTP, retries and parsing against it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agents.providers.errors import PermanentProviderError, TransientProviderError
from agents.reasoning import OfflineReasoner, ReasoningOutputError, get_reasoner
from agents.reasoning.anthropic_reasoner import AnthropicReasoner
from agents.reasoning.segmentation import utterances_from_transcript
from agents.scripts import load_script, transcript_from_script
from agents.settings import DEFAULT_ANTHROPIC_MODEL
from agents.types import CallMetrics, Pattern


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def tool_message(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    """A Messages API response whose content is one tool call, shaped like the real API's."""
    return {
        "id": "msg_01TestLocalServer",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "tool_use", "id": "toolu_01LocalServer", "name": name, "input": tool_input}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 812, "output_tokens": 164},
    }


def error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


class MessagesServer:
    """Serves the scripted replies in order (the last one repeats) and records each request."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # ends a delayed reply early at teardown
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                index = len(server.requests)
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                reply = server.replies[min(index, len(server.replies) - 1)]
                if reply.delay:
                    server.release.wait(reply.delay)
                payload = json.dumps(reply.body or {}).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("request-id", f"req_local_{index}")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> MessagesServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[MessagesServer] = []

    def start(*replies: Reply) -> MessagesServer:
        server = MessagesServer(list(replies)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def _api_key(request: dict[str, Any]) -> str | None:
    """The key as sent: the SDK 2.x uses ``Authorization: Bearer``, earlier ones ``x-api-key``."""
    headers = {key.lower(): value for key, value in request["headers"].items()}
    if "x-api-key" in headers:
        return headers["x-api-key"]
    authorization = headers.get("authorization", "")
    return authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None


MODEL = "claude-test-model"


def reasoner_for(server: MessagesServer, *, timeout: float = 5.0, max_retries: int = 2) -> AnthropicReasoner:
    return AnthropicReasoner(
        api_key="sk-ant-test", model=MODEL, base_url=server.base_url, timeout=timeout, max_retries=max_retries
    )


TRANSCRIPT = transcript_from_script(load_script("saas_helpdesk"))
UTTERANCES = utterances_from_transcript(TRANSCRIPT)


def _index_of(fragment: str) -> int:
    return next(u.index for u in UTTERANCES if fragment in u.text)


PRICE = _index_of("the price you sent over")
PRICE_ANSWER = [_index_of("I understand, price matters"), _index_of("When you add up")]
GREETING = _index_of("Hi Daniel")
VALID_PATTERNS = {
    "patterns": [
        {"utterances": [GREETING], "category": "opener", "confidence": 0.95},
        {"utterances": [PRICE], "category": "objection", "confidence": 0.9},
        {"utterances": PRICE_ANSWER, "category": "objection_response", "confidence": 0.85, "responds_to": PRICE},
    ]
}


def test_patterns_are_built_from_the_transcripts_words_and_the_request_is_well_formed(serve):
    server = serve(Reply(body=tool_message("record_patterns", VALID_PATTERNS)))

    patterns = reasoner_for(server).extract_patterns(TRANSCRIPT)

    assert [p.category for p in patterns] == ["opener", "objection", "objection_response"]
    objection, response = patterns[1], patterns[2]
    assert objection.start == UTTERANCES[PRICE].start
    assert objection.speaker == "other"
    assert response.text.startswith("I understand, price matters.")
    assert response.end == UTTERANCES[PRICE_ANSWER[-1]].end
    assert response.responds_to == objection.text

    (request,) = server.requests
    assert request["path"] == "/v1/messages"
    assert _api_key(request) == "sk-ant-test"
    assert "anthropic-version" in {key.lower() for key in request["headers"]}
    body = request["body"]
    assert body["model"] == MODEL
    # API version 2026-10-21 rejects any sampling parameter with a 400.
    assert "temperature" not in body
    assert body["tool_choice"] == {"type": "tool", "name": "record_patterns"}
    assert body["tools"][0]["input_schema"]["properties"]["patterns"]["type"] == "array"
    assert f"[{PRICE}] (other," in body["messages"][0]["content"]


def test_a_429_is_retried_and_then_succeeds(serve):
    server = serve(
        Reply(status=429, body=error_body("rate_limit_error", "slow down"), headers={"retry-after-ms": "20"}),
        Reply(body=tool_message("record_patterns", VALID_PATTERNS)),
    )

    patterns = reasoner_for(server).extract_patterns(TRANSCRIPT)

    assert len(server.requests) == 2
    assert len(patterns) == 3


def test_a_500_that_never_ends_gives_up_with_a_transient_error(serve):
    server = serve(Reply(status=500, body=error_body("api_error", "boom"), headers={"retry-after-ms": "10"}))

    with pytest.raises(TransientProviderError) as error:
        reasoner_for(server, max_retries=2).extract_patterns(TRANSCRIPT)

    assert error.value.status_code == 500
    assert error.value.provider == "anthropic"
    assert len(server.requests) == 3  # the first try and two SDK retries


def test_a_timeout_is_a_transient_error(serve):
    server = serve(Reply(body=tool_message("record_patterns", VALID_PATTERNS), delay=5.0))

    started = time.monotonic()
    with pytest.raises(TransientProviderError, match="timed out"):
        reasoner_for(server, timeout=0.3, max_retries=0).extract_patterns(TRANSCRIPT)

    assert time.monotonic() - started < 3.0


def test_a_rejected_key_is_a_permanent_error_without_retries(serve):
    server = serve(Reply(status=401, body=error_body("authentication_error", "invalid x-api-key")))

    with pytest.raises(PermanentProviderError) as error:
        reasoner_for(server).extract_patterns(TRANSCRIPT)

    assert not isinstance(error.value, TransientProviderError)
    assert error.value.status_code == 401
    assert len(server.requests) == 1


def test_a_malformed_tool_input_is_asked_for_again_once(serve):
    malformed = {"patterns": [{"utterances": [GREETING], "category": "small_talk", "confidence": 0.5}]}
    server = serve(
        Reply(body=tool_message("record_patterns", malformed)),
        Reply(body=tool_message("record_patterns", VALID_PATTERNS)),
    )

    patterns = reasoner_for(server).extract_patterns(TRANSCRIPT)

    assert len(server.requests) == 2
    assert [p.category for p in patterns] == ["opener", "objection", "objection_response"]


@pytest.mark.parametrize(
    "tool_input",
    [
        {"patterns": [{"utterances": [9999], "category": "opener", "confidence": 0.5}]},
        {"patterns": "none"},
        {"something": []},
    ],
)
def test_a_malformed_tool_input_twice_raises(serve, tool_input):
    server = serve(Reply(body=tool_message("record_patterns", tool_input)))

    with pytest.raises(ReasoningOutputError, match="malformed record_patterns"):
        reasoner_for(server).extract_patterns(TRANSCRIPT)

    assert len(server.requests) == 2


def test_an_answer_without_the_tool_call_is_malformed(serve):
    text_only = tool_message("record_patterns", {})
    text_only["content"] = [{"type": "text", "text": "Here are the patterns: ..."}]
    text_only["stop_reason"] = "end_turn"
    server = serve(Reply(body=text_only))

    with pytest.raises(ReasoningOutputError):
        reasoner_for(server).extract_patterns(TRANSCRIPT)


def _recorded_patterns() -> list[Pattern]:
    return [
        Pattern("objection", "The price is too high.", 10.0, 12.0, "other"),
        Pattern(
            "objection_response",
            "Let us look at the return.",
            12.5,
            15.0,
            "champion",
            responds_to="The price is too high.",
        ),
        Pattern("objection", "I need my boss to approve it.", 20.0, 22.0, "other"),
    ]


METRICS = CallMetrics(60.0, 150.0, 1.0, 0, 0.0, 10.0, 0.5, 3)


def test_scenarios_take_their_objections_from_the_recording_in_call_order(serve):
    answer = {
        "scenarios": [
            {
                "title": "Price",
                "persona": "A CFO",
                "context": "Online store",
                "goal": "Book a demo",
                "difficulty": "easy",
                "objection_numbers": [0],
            },
            {
                "title": "All",
                "persona": "A skeptical CFO",
                "context": "Online store",
                "goal": "Book a demo",
                "difficulty": "hard",
                "objection_numbers": [1, 0],
            },
        ]
    }
    server = serve(Reply(body=tool_message("record_scenarios", answer)))

    scenarios = reasoner_for(server).generate_scenarios(_recorded_patterns(), TRANSCRIPT, METRICS)

    assert [s.difficulty for s in scenarios] == ["easy", "hard"]
    assert [o.text for o in scenarios[1].objections] == ["The price is too high.", "I need my boss to approve it."]
    assert scenarios[1].objections[0].champion_response == "Let us look at the return."
    assert server.requests[0]["body"]["tool_choice"] == {"type": "tool", "name": "record_scenarios"}


def test_a_scenario_naming_an_objection_the_call_does_not_have_is_malformed(serve):
    answer = {
        "scenarios": [
            {"title": "T", "persona": "P", "context": "C", "goal": "G", "difficulty": "easy", "objection_numbers": [7]}
        ]
    }
    server = serve(Reply(body=tool_message("record_scenarios", answer)))

    with pytest.raises(ReasoningOutputError):
        reasoner_for(server).generate_scenarios(_recorded_patterns(), TRANSCRIPT, METRICS)


def test_the_factory_picks_the_engine_from_settings(settings, serve):
    settings.ANTHROPIC_API_KEY = ""
    assert isinstance(get_reasoner(), OfflineReasoner)

    server = serve(Reply(body=tool_message("record_patterns", VALID_PATTERNS)))
    settings.ANTHROPIC_API_KEY = "sk-ant-from-settings"
    settings.ANTHROPIC_BASE_URL = server.base_url
    settings.ANTHROPIC_MODEL = "claude-test-model"
    settings.VENDOR_TIMEOUT_SECONDS = 7
    settings.VENDOR_MAX_RETRIES = 1

    reasoner = get_reasoner()
    reasoner.extract_patterns(TRANSCRIPT)

    assert reasoner.name == "anthropic"
    request = server.requests[0]
    assert _api_key(request) == "sk-ant-from-settings"
    assert request["body"]["model"] == "claude-test-model"


def test_the_default_model_is_one_the_sdk_does_not_warn_is_deprecated(serve, recwarn):
    """The SDK warns (DeprecationWarning) when a request names a model on its end-of-life list:
    the default must not be one, or every deployment without ANTHROPIC_MODEL breaks on that day."""
    server = serve(Reply(body=tool_message("record_patterns", VALID_PATTERNS)))
    reasoner = AnthropicReasoner(api_key="sk-ant-test", base_url=server.base_url, timeout=5.0, max_retries=0)

    reasoner.extract_patterns(TRANSCRIPT)

    assert server.requests[0]["body"]["model"] == DEFAULT_ANTHROPIC_MODEL
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning) and "end-of-life" in str(w.message)]
