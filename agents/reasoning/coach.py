"""The training engines behind one interface: the prospect a rep talks to and the judge that
scores each reply against the champion.

``get_coach()`` picks the engine from settings, like ``get_reasoner()``: Claude when
``ANTHROPIC_API_KEY`` is set, the deterministic offline engine otherwise (README.md, the engines
table under "The champion pipeline").
Both engines share the conversation's state machine (``agents.reasoning.prospect``): which
objection is on the table, how many weak replies in a row, won or lost, decided by the judge's
score and by what the reply said (a question answered from the buyer's side of the champion's
call, a next step proposed, the concern named). Only the words differ, so a session ends the
same way whichever engine plays the prospect.

Plain data in and out (``agents.types``); the training app stores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from agents.reasoning.judge import JudgeMoment, judge_reply_offline
from agents.reasoning.listening.buyer_turns import BuyerTurns
from agents.reasoning.listening.reading import last_reply
from agents.reasoning.listening.vectors import shared_embedder
from agents.reasoning.prospect import prospect_opening, prospect_reply
from agents.settings import anthropic_client_options
from agents.types import Pattern, ProspectTurn, ReplyEvaluation, ScenarioSpec

__all__ = ["Coach", "OfflineCoach", "get_coach"]


@runtime_checkable
class Coach(Protocol):
    #: "offline" or "anthropic". Each evaluation also says which judge produced it
    #: (``ReplyEvaluation.judge``): the Claude coach falls back to the offline judge.
    name: str

    def opening(self, scenario: ScenarioSpec, *, buyer_lines: Sequence[str] = ()) -> ProspectTurn:
        """The prospect's first line: a greeting in character and the first objection."""
        ...

    def judge(
        self,
        reply: str,
        *,
        moment: JudgeMoment,
        patterns: Sequence[Pattern],
        pattern_vectors: np.ndarray | None = None,
    ) -> ReplyEvaluation:
        """Score a trainee ``reply`` at ``moment`` against the champion's ``patterns`` (the
        reference is one of them, by index, so its timestamps come from the recording).
        ``pattern_vectors``: the patterns' stored embeddings, one row each, when there are."""
        ...

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
        """The prospect's answer to a trainee reply scored ``evaluation`` at ``stage``.

        ``history``: the conversation so far as (role, text) pairs, role "prospect" or "trainee",
        the reply being answered last. ``buyer_lines``: the buyer's real lines in the champion's
        call; ``buyer_turns``: those lines with their embeddings, which answer the rep's
        questions. The returned stage, weak streak and outcome follow from the evaluation's
        score (``prospect.pass_score``) and the reply's words, the same whatever the engine;
        without the reply in ``history`` from the score alone.
        """
        ...


class OfflineCoach:
    """The deterministic engines: the same conversation always gets the same lines and scores.

    The offline prospect needs the state and the reply being answered, not the rest of the
    history: its lines are chosen by a stable hash of the state, and quote the buyer's lines of
    the call (``buyer_turns``) nearest to the rep's question. The judge and the prospect share
    one memo of embeddings, so the reply is embedded once for both.
    """

    name = "offline"

    def __init__(self) -> None:
        self._embedder = shared_embedder()

    def opening(self, scenario: ScenarioSpec, *, buyer_lines: Sequence[str] = ()) -> ProspectTurn:
        return prospect_opening(scenario)

    def judge(
        self,
        reply: str,
        *,
        moment: JudgeMoment,
        patterns: Sequence[Pattern],
        pattern_vectors: np.ndarray | None = None,
    ) -> ReplyEvaluation:
        return judge_reply_offline(
            reply, moment=moment, patterns=patterns, pattern_vectors=pattern_vectors, embedder=self._embedder
        )

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
        return prospect_reply(
            scenario,
            stage=stage,
            weak_streak=weak_streak,
            evaluation=evaluation,
            turn_index=turn_index,
            reply=last_reply(history),
            buyer_turns=buyer_turns,
            embedder=self._embedder,
        )


def get_coach() -> Coach:
    """The engine the settings ask for. Cheap to call per request: the Claude coach for a
    given configuration is built once per process and reuses its HTTP connections."""
    options = anthropic_client_options()
    if options:
        # Imported here: the offline path must not need the vendor SDK at import time.
        from agents.reasoning.anthropic_coach import anthropic_coach

        return anthropic_coach(**options)
    return OfflineCoach()
