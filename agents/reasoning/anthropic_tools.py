"""What the Claude engines share, the reasoner (patterns, scenarios) and the coach (judge,
prospect): one SDK client per engine, and structured answers through one forced tool with a
JSON schema, SDK errors mapped to our transient or permanent provider errors, and one more
attempt when the answer is malformed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anthropic

from agents.providers.errors import PermanentProviderError, TransientProviderError
from agents.reasoning.base import ReasoningOutputError
from agents.settings import DEFAULT_ANTHROPIC_MODEL

PROVIDER = "anthropic"
T = TypeVar("T")
logger = logging.getLogger(__name__)


class InvalidAnswer(ValueError):
    """Claude answered, but not in the shape the tool's schema asks for."""


def forced_tool_input(
    client: anthropic.Anthropic, *, model: str, system: str, prompt: str, tool: dict[str, Any], max_tokens: int
) -> dict[str, Any]:
    try:
        message = client.messages.create(
            model=model,
            max_tokens=max_tokens,
            system=system,
            messages=[{"role": "user", "content": prompt}],
            tools=[tool],  # type: ignore[list-item]
            tool_choice={"type": "tool", "name": tool["name"]},
        )
    except anthropic.APITimeoutError as exc:
        raise TransientProviderError("request timed out", provider=PROVIDER) from exc
    except anthropic.APIConnectionError as exc:
        raise TransientProviderError(f"connection failed: {exc}", provider=PROVIDER) from exc
    except anthropic.APIStatusError as exc:
        status = exc.status_code
        # The SDK already retried these; the caller's own retry may still succeed later.
        transient = status in (408, 409, 429) or status >= 500
        error_class = TransientProviderError if transient else PermanentProviderError
        raise error_class(f"HTTP {status}: {exc.message}", provider=PROVIDER, status_code=status) from exc
    except anthropic.AnthropicError as exc:
        raise PermanentProviderError(str(exc), provider=PROVIDER) from exc
    for block in message.content:
        if block.type == "tool_use" and block.name == tool["name"]:
            if not isinstance(block.input, dict):
                raise InvalidAnswer("tool input is not an object")
            return block.input
    raise InvalidAnswer(f"no {tool['name']} tool call in the answer (stop: {message.stop_reason})")


def structured_answer(
    client: anthropic.Anthropic,
    *,
    model: str,
    system: str,
    prompt: str,
    tool: dict[str, Any],
    max_tokens: int,
    parse: Callable[[dict[str, Any]], T],
) -> T:
    """Call the tool and parse its input; one more attempt when the answer is malformed."""
    last_error: InvalidAnswer | None = None
    for attempt in (1, 2):
        try:
            return parse(
                forced_tool_input(client, model=model, system=system, prompt=prompt, tool=tool, max_tokens=max_tokens)
            )
        except InvalidAnswer as exc:
            logger.warning("malformed %s answer (attempt %d): %s", tool["name"], attempt, exc)
            last_error = exc
    raise ReasoningOutputError(f"malformed {tool['name']} answer twice: {last_error}", provider=PROVIDER)


def anthropic_client(*, api_key: str, base_url: str | None, timeout: float, max_retries: int) -> anthropic.Anthropic:
    """The SDK client of a Claude engine. The SDK retries 408/409/429/5xx and connection errors
    itself with backoff, ``max_retries`` times, each request under ``timeout``."""
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)


class ClaudeEngine:
    """The base of the Claude engines: the model they ask, their client, the forced-tool call."""

    name = PROVIDER

    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_ANTHROPIC_MODEL,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        self.model = model
        self._client = anthropic_client(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)

    def _structured(
        self, *, system: str, prompt: str, tool: dict[str, Any], max_tokens: int, parse: Callable[[dict[str, Any]], T]
    ) -> T:
        return structured_answer(
            self._client, model=self.model, system=system, prompt=prompt, tool=tool, max_tokens=max_tokens, parse=parse
        )
