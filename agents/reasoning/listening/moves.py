"""Where the conversation goes after a reply, and what the buyer says: the offline prospect's
state machine, driven by the judge's verdict *and* by what the reply said.

State (persisted by the training app): ``stage`` (the objection on the table; one past the last
at the close) and ``weak_streak`` (misses in a row; :data:`MAX_WEAK_STREAK` lose the call).

On an objection:

- a reply that passes moves on to the next objection (or to the close after the last one),
  answering first the question it asked when the call holds the answer;
- a question the call answers gets that answer in the buyer's own words, and the concern stays
  on the table without counting as a miss; so does a question about the buyer's business the
  call has no answer to (the buyer declines it). A question about nothing of theirs is a miss;
- otherwise a miss: a next step proposed before the concern is answered is put off, a concern
  named but not answered is pressed, an ignored one is pushed back on, by name (the clause of
  the objection that states it, :mod:`.concern`); a second miss restates the whole objection.

At the close, a next step the rep proposes is answered by name: accepted when the reply passes
(a skeptical buyer first asks when and what, if the rep named neither), countered when it does
not. Without the reply's words (``reading`` None) only the verdict counts, as before the prospect
read replies: a pass at the close wins.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from agents.reasoning.listening import lines as say
from agents.reasoning.listening.clean import clean_line
from agents.reasoning.listening.concern import concern_clause
from agents.reasoning.listening.reading import ReplyReading
from agents.types import ProspectTurn, ScenarioSpec

MAX_WEAK_STREAK = 3

# What the buyer's line does, for the Claude coach to say the same thing in its own words.
ADVANCE, INVITE_CLOSE, ACCEPT = "advance", "invite_close", "accept"
ANSWER_HOLD, DEFLECT = "answer_hold", "deflect"
PUSH_BACK, PRESS, EARLY_STEP, ESCALATE, LOST = "push_back", "press", "early_step", "escalate", "lost"
ASK_STEP, COUNTER_STEP, CLARIFY_STEP, CLOSING_PUSH_BACK = (
    "ask_step",
    "counter_step",
    "clarify_step",
    "closing_push_back",
)


@dataclass(frozen=True)
class ProspectMove:
    kind: str  # one of the names above
    turn: ProspectTurn
    concern: str | None = None  # the concern the line names, in the buyer's words
    answer: str | None = None  # the buyer's answer to the rep's question, from the call
    step: str | None = None  # the next step the line answers
    reading: ReplyReading | None = None  # what the reply said, when it was read


def next_move(
    scenario: ScenarioSpec, *, stage: int, weak_streak: int, passed: bool, reading: ReplyReading | None, key: tuple
) -> ProspectMove:
    """The buyer's move after a reply at ``stage`` that the judge ``passed`` (or not)."""
    if stage >= len(scenario.objections):
        move = _closing_move(scenario, weak_streak=weak_streak, passed=passed, reading=reading, key=key)
    else:
        move = _objection_move(scenario, stage=stage, weak_streak=weak_streak, passed=passed, reading=reading, key=key)
    return dataclasses.replace(move, reading=reading)


def _objection_move(
    scenario: ScenarioSpec, *, stage: int, weak_streak: int, passed: bool, reading: ReplyReading | None, key: tuple
) -> ProspectMove:
    objections, manner = scenario.objections, scenario.difficulty
    concern = concern_clause(objections[stage].text)
    answer = reading.answer if reading else None
    if passed:
        lead = answer if reading and reading.answer_source == "call" else None
        transition = say.pick(say.in_manner(say.TRANSITIONS, manner), *key)
        following = stage + 1
        if following < len(objections):
            text, kind = say.spoken(lead, transition, clean_line(objections[following].text)), ADVANCE
        else:
            text = say.spoken(lead, transition, say.pick(say.in_manner(say.CLOSING_INVITATIONS, manner), *key))
            kind = INVITE_CLOSE
        return ProspectMove(kind, ProspectTurn(text, stage=following, weak_streak=0, moved_on=True), answer=lead)

    def holding(kind: str, text: str) -> ProspectMove:
        return ProspectMove(kind, ProspectTurn(text, stage=stage, weak_streak=weak_streak), concern, answer)

    if reading and answer:
        return holding(ANSWER_HOLD, say.spoken(answer, say.pick(say.in_manner(say.HOLDS, manner), *key), concern))
    if reading and reading.question and reading.related:
        return holding(DEFLECT, say.spoken(say.pick(say.DEFLECTIONS, *key), concern))
    missed = weak_streak + 1
    if missed >= MAX_WEAK_STREAK:
        return ProspectMove(LOST, _lost(stage, missed, key), concern)
    if reading and reading.next_step:
        step = reading.next_step.what
        text = say.spoken(say.with_step(say.pick(say.EARLY_STEPS, *key), step), concern)
        return ProspectMove(EARLY_STEP, ProspectTurn(text, stage=stage, weak_streak=missed), concern, step=step)
    if missed == 1:
        kind, pool = (PRESS, say.PRESSES) if reading and reading.names_concern else (PUSH_BACK, say.PUSH_BACKS)
        text = say.spoken(say.pick(say.in_manner(pool, manner), *key), concern)
        return ProspectMove(kind, ProspectTurn(text, stage=stage, weak_streak=missed), concern)
    # A second miss in a row: the buyer restates the whole concern in their own words.
    text = say.spoken(say.pick(say.ESCALATIONS, *key), clean_line(objections[stage].text))
    return ProspectMove(ESCALATE, ProspectTurn(text, stage=stage, weak_streak=missed), concern)


def _closing_move(
    scenario: ScenarioSpec, *, weak_streak: int, passed: bool, reading: ReplyReading | None, key: tuple
) -> ProspectMove:
    stage, manner = len(scenario.objections), scenario.difficulty
    step = reading.next_step if reading else None
    if step is not None and passed and not (manner == "hard" and step.when is None):
        text = say.with_step(say.pick(say.in_manner(say.ACCEPTANCES, manner), *key), step.what)
        return ProspectMove(ACCEPT, _won(text, stage), step=step.what)
    if step is not None and passed:
        text = say.with_step(say.pick(say.CLARIFICATIONS, *key), step.what)
        return ProspectMove(CLARIFY_STEP, ProspectTurn(text, stage=stage, weak_streak=weak_streak), step=step.what)
    if reading is None and passed:
        return ProspectMove(ACCEPT, _won(say.pick(say.AGREEMENTS, *key), stage))
    answer = reading.answer if reading else None
    if reading and not step and (answer or (reading.question and reading.related) or passed):
        lead = answer or (say.pick(say.DEFLECTIONS, *key) if reading.question and not passed else None)
        text = say.spoken(lead, say.pick(say.ASK_STEPS, *key))
        return ProspectMove(ASK_STEP, ProspectTurn(text, stage=stage, weak_streak=weak_streak), answer=answer)
    missed = weak_streak + 1
    if missed >= MAX_WEAK_STREAK:
        return ProspectMove(LOST, _lost(stage, missed, key))
    if step is not None:
        text = say.with_step(say.pick(say.in_manner(say.COUNTERS, manner), *key), step.what)
        return ProspectMove(COUNTER_STEP, ProspectTurn(text, stage=stage, weak_streak=missed), step=step.what)
    text = say.pick(say.CLOSING_PUSH_BACKS, *key)
    return ProspectMove(CLOSING_PUSH_BACK, ProspectTurn(text, stage=stage, weak_streak=missed))


def _won(text: str, stage: int) -> ProspectTurn:
    return ProspectTurn(text, stage=stage, weak_streak=0, outcome="won", moved_on=True)


def _lost(stage: int, missed: int, key: tuple) -> ProspectTurn:
    return ProspectTurn(say.pick(say.LOSSES, *key), stage=stage, weak_streak=missed, outcome="lost")
