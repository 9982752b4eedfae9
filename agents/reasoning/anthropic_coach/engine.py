"""The Claude coach itself: the judge and the prospect, the offline engine answering whenever
Claude cannot."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from agents.providers.errors import ProviderError, TransientProviderError
from agents.reasoning.anthropic_coach.answers import judge_answer, line_answer
from agents.reasoning.anthropic_coach.moves import move_instruction, nearest_section
from agents.reasoning.anthropic_coach.prompts import (
    JUDGE_SYSTEM,
    PROSPECT_SYSTEM,
    judge_prompt,
    opening_instruction,
    recent_conversation,
    scenario_brief,
)
from agents.reasoning.anthropic_coach.tools import OPENING_TOOL, PROSPECT_TOOL, judge_tool
from agents.reasoning.anthropic_tools import ClaudeEngine, InvalidAnswer
from agents.reasoning.base import ReasoningOutputError
from agents.reasoning.judge import JudgeMoment, judge_reply_offline, own_response_index, relevant_patterns
from agents.reasoning.listening.buyer_turns import BuyerTurns
from agents.reasoning.listening.reading import last_reply
from agents.reasoning.listening.vectors import shared_embedder
from agents.reasoning.prospect import prospect_move, prospect_opening
from agents.types import Pattern, ProspectTurn, ReplyEvaluation, ScenarioSpec

logger = logging.getLogger(__name__)

_JUDGE_MAX_TOKENS = 1024
_PROSPECT_MAX_TOKENS = 512


class AnthropicCoach(ClaudeEngine):
    """The :class:`~agents.reasoning.coach.Coach` that asks Claude."""

    @staticmethod
    def _log_fallback(what: str, error: ProviderError) -> None:
        # A rejected request (bad key, invalid request) will not fix itself: an error for the
        # operators. A malformed answer or an outage is a warning: the next reply may go through.
        transient_or_malformed = isinstance(error, TransientProviderError | ReasoningOutputError)
        level = logging.WARNING if transient_or_malformed else logging.ERROR
        logger.log(level, "Claude %s failed, the offline engine answers instead: %s", what, error)

    # -- the interface --------------------------------------------------------------------------

    def judge(
        self,
        reply: str,
        *,
        moment: JudgeMoment,
        patterns: Sequence[Pattern],
        pattern_vectors: np.ndarray | None = None,
    ) -> ReplyEvaluation:
        """Claude's evaluation, or the offline judge's when Claude cannot give one (the offline
        judge is the only user of ``pattern_vectors``: Claude reads the phrases' words)."""
        candidates = _candidates(moment, patterns)

        def parse(data: dict[str, Any]) -> ReplyEvaluation:
            return judge_answer(data, moment=moment, patterns=patterns, candidates=candidates)

        try:
            return self._structured(
                system=JUDGE_SYSTEM,
                prompt=judge_prompt(reply, moment, patterns, candidates),
                tool=judge_tool(candidates),
                max_tokens=_JUDGE_MAX_TOKENS,
                parse=parse,
            )
        except ProviderError as error:
            self._log_fallback("judge", error)
        # The shared memo, as the offline coach judges: the prospect's step reuses the reply's vector.
        return judge_reply_offline(
            reply, moment=moment, patterns=patterns, pattern_vectors=pattern_vectors, embedder=shared_embedder()
        )

    def opening(self, scenario: ScenarioSpec, *, buyer_lines: Sequence[str] = ()) -> ProspectTurn:
        turn = prospect_opening(scenario)
        prompt = f"{scenario_brief(scenario, buyer_lines)}\n\nThe rep has just called you.\nYour line must: {opening_instruction(scenario)}"
        return self._speak(turn, prompt=prompt, tool=OPENING_TOOL, what="prospect opening")

    def respond(
        self,
        scenario: ScenarioSpec,
        *,
        stage: int,
        weak_streak: int,
        evaluation: ReplyEvaluation,
        turn_index: int,
        history: Sequence[tuple[str, str]] = (),
        buyer_lines: Sequence[str] = (),
        buyer_turns: BuyerTurns | None = None,
    ) -> ProspectTurn:
        # The offline prospect decides where the conversation goes, from the score and the
        # reply's words (and has a line ready should Claude fail); Claude says it.
        move = prospect_move(
            scenario,
            stage=stage,
            weak_streak=weak_streak,
            evaluation=evaluation,
            turn_index=turn_index,
            reply=last_reply(history),
            buyer_turns=buyer_turns,
            embedder=shared_embedder(),
        )
        turn = move.turn
        prompt = (
            f"{scenario_brief(scenario, buyer_lines)}{nearest_section(move)}\n\nThe conversation so far:\n"
            f"<conversation>\n{recent_conversation(history)}\n</conversation>\n\nYour next line must: "
            f"{move_instruction(scenario, stage, move)}"
        )
        judge_passed = turn.moved_on or turn.outcome == "won"

        def on_answer(data: dict[str, Any]) -> None:
            handled = data.get("objection_handled")
            if not isinstance(handled, bool):
                raise InvalidAnswer("'objection_handled' is not a boolean")
            if handled != judge_passed:
                # Calibration signal between the judge and the role-play; the judge decides.
                logger.info(
                    "prospect and judge disagree at stage %d: handled=%s, judge score %d",
                    stage,
                    handled,
                    evaluation.score,
                )

        return self._speak(turn, prompt=prompt, tool=PROSPECT_TOOL, what="prospect reply", check=on_answer)

    def _speak(
        self,
        turn: ProspectTurn,
        *,
        prompt: str,
        tool: dict[str, Any],
        what: str,
        check: Callable[[dict[str, Any]], None] | None = None,
    ) -> ProspectTurn:
        """``turn`` with Claude's line, or as the offline prospect wrote it when Claude fails."""

        def parse(data: dict[str, Any]) -> str:
            line = line_answer(data)
            if check is not None:
                check(data)
            return line

        try:
            line = self._structured(
                system=PROSPECT_SYSTEM, prompt=prompt, tool=tool, max_tokens=_PROSPECT_MAX_TOKENS, parse=parse
            )
        except ProviderError as error:
            self._log_fallback(what, error)
            return turn
        return dataclasses.replace(turn, text=line)


def _candidates(moment: JudgeMoment, patterns: Sequence[Pattern]) -> list[int]:
    """The champion phrases shown to Claude for this moment: the offline judge's relevant
    patterns, the champion's own answer to this objection first."""
    relevant = relevant_patterns(moment, patterns)
    own = own_response_index(moment, patterns)
    if own is not None and own in relevant:
        relevant.remove(own)
        relevant.insert(0, own)
    return relevant


@functools.lru_cache(maxsize=8)
def anthropic_coach(
    *, api_key: str, base_url: str | None, model: str, timeout: float, max_retries: int
) -> AnthropicCoach:
    """One coach per configuration and process: its SDK client keeps its connections open
    between requests, which saves a TLS handshake on every reply."""
    return AnthropicCoach(api_key=api_key, base_url=base_url, model=model, timeout=timeout, max_retries=max_retries)
