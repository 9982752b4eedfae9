"""The offline prospect: plays the scenario's buyer, raises the call's real objections in order,
and listens to the rep.

A conversation is a small state machine the training app persists (``stage``, ``weak_streak``):
the prospect opens with a greeting in character and the first objection, in the buyer's own
words from the champion's call; at each trainee reply (already scored by the judge) it reads the
reply (a question to answer from the buyer's side of the call, a next step to answer, the
concern named or not: :mod:`agents.reasoning.listening.reading`) and moves on, answers, presses,
pushes back, escalates, wins or loses (:mod:`agents.reasoning.listening.moves`). The pass mark
per difficulty is :func:`pass_score`.

Lines vary with the conversation (persona, difficulty, concern, how many times the rep has
missed) but are chosen by a stable hash of the state, never at random: the same state and reply
always get the same line.
"""

from __future__ import annotations

from agents.reasoning.judge import pass_mark
from agents.reasoning.listening import lines as say
from agents.reasoning.listening.buyer_turns import BuyerTurns
from agents.reasoning.listening.clean import clean_line
from agents.reasoning.listening.moves import MAX_WEAK_STREAK, ProspectMove, next_move
from agents.reasoning.listening.reading import read_reply
from agents.reasoning.listening.vectors import TextEmbedder, shared_embedder
from agents.types import ProspectTurn, ReplyEvaluation, ScenarioSpec

__all__ = ["MAX_WEAK_STREAK", "pass_score", "prospect_move", "prospect_opening", "prospect_reply"]


def pass_score(scenario: ScenarioSpec) -> int:
    """The score a reply needs to move this buyer on: the judge's pass mark for the scenario's
    difficulty, fitted on labelled replies (:data:`agents.reasoning.judge.PASS_MARKS`)."""
    return pass_mark(scenario.difficulty)


def prospect_opening(scenario: ScenarioSpec) -> ProspectTurn:
    greeting = say.pick(say.in_manner(say.GREETINGS, scenario.difficulty), scenario.title, "greeting")
    if scenario.objections:
        return ProspectTurn(text=f"{greeting} {clean_line(scenario.objections[0].text)}", stage=0, weak_streak=0)
    # No objection in the call: the buyer lets the rep lead, and the close is all that is left.
    return ProspectTurn(text=f"{greeting} What did you want to talk about?", stage=0, weak_streak=0)


def prospect_move(
    scenario: ScenarioSpec,
    *,
    stage: int,
    weak_streak: int,
    evaluation: ReplyEvaluation,
    turn_index: int,
    reply: str | None = None,
    buyer_turns: BuyerTurns | None = None,
    embedder: TextEmbedder | None = None,
) -> ProspectMove:
    """The prospect's move after a trainee ``reply`` scored ``evaluation`` at ``stage``.

    ``buyer_turns``: the buyer's lines of the champion's call, which answer the rep's questions.
    Without ``reply`` the move follows from the score alone.
    """
    reading = (
        read_reply(reply, scenario, stage=stage, buyer_turns=buyer_turns, embedder=embedder or shared_embedder())
        if reply and reply.strip()
        else None
    )
    passed = evaluation.score >= pass_score(scenario)
    key = (scenario.title, stage, weak_streak, turn_index)
    return next_move(scenario, stage=stage, weak_streak=weak_streak, passed=passed, reading=reading, key=key)


def prospect_reply(
    scenario: ScenarioSpec,
    *,
    stage: int,
    weak_streak: int,
    evaluation: ReplyEvaluation,
    turn_index: int,
    reply: str | None = None,
    buyer_turns: BuyerTurns | None = None,
    embedder: TextEmbedder | None = None,
) -> ProspectTurn:
    """The prospect's answer to a trainee ``reply`` scored ``evaluation`` at ``stage``
    (:func:`prospect_move`'s line and state)."""
    return prospect_move(
        scenario,
        stage=stage,
        weak_streak=weak_streak,
        evaluation=evaluation,
        turn_index=turn_index,
        reply=reply,
        buyer_turns=buyer_turns,
        embedder=embedder,
    ).turn
