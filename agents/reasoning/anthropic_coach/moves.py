"""What Claude's next prospect line must do, from the offline prospect's move: the same
decision in both engines (where the conversation goes, what is answered, pressed or put off),
Claude's own words. And the buyer's lines of the call nearest to the rep's last message, which
Claude answers from instead of inventing facts."""

from __future__ import annotations

from agents.reasoning.anthropic_coach.prompts import quoted, reply_instruction
from agents.reasoning.listening import moves as m
from agents.types import ScenarioSpec

_COUNTER_MANNER = {
    "easy": "ask what it would involve for you",
    "medium": "say it is a big ask right now and ask what your team would actually get out of it",
    "hard": "refuse for now: they have not shown you it is worth your time",
}


def move_instruction(scenario: ScenarioSpec, stage: int, move: m.ProspectMove) -> str:
    """The instruction for the line of ``move``, made at ``stage`` of ``scenario``."""
    reading = move.reading
    objection = quoted(scenario.objections[stage].text) if stage < len(scenario.objections) else ""
    question = quoted(reading.question) if reading and reading.question else ""
    answer = quoted(move.answer) if move.answer else ""
    step = quoted(move.step) if move.step else ""
    if move.kind == m.ANSWER_HOLD:
        return (
            f'The rep asked: "{question}". Answer it in character with what the real buyer said in the call: '
            f'"{answer}". Then say that it does not settle your concern "{objection}".'
        )
    if move.kind == m.DEFLECT:
        return (
            f'The rep asked: "{question}", which the real buyer\'s call does not answer. Do not make up facts: '
            f'say you would rather not go into that now, and bring them back to your concern "{objection}".'
        )
    if move.kind == m.PRESS:
        return (
            f'Press: the rep named your concern "{objection}" but did not answer it. Say so, and ask again '
            f'how they would deal with it: "{quoted(move.concern or "")}". Stay on this concern.'
        )
    if move.kind == m.EARLY_STEP:
        return f'The rep proposed {step} before answering your concern "{objection}". Put it off: you need an answer on that first.'
    if move.kind == m.ASK_STEP:
        lead = (
            f'Answer the rep\'s question with what the real buyer said in the call: "{answer}". Then ' if answer else ""
        )
        return f"{lead}ask what exactly they propose as the next step."
    if move.kind == m.COUNTER_STEP:
        manner = _COUNTER_MANNER.get(scenario.difficulty, _COUNTER_MANNER["medium"])
        return f"The rep proposed {step}, but has not convinced you. Do not agree yet: {manner}."
    if move.kind == m.CLARIFY_STEP:
        return f"The rep proposed {step} without saying when or what it involves. Before agreeing, ask what exactly it would involve and when."
    if move.kind == m.ACCEPT and step:
        return f"Agree to the next step the rep proposed ({step}), by name, in one or two sentences. The call is won."
    instruction = reply_instruction(scenario, stage, move.turn)
    if answer and move.kind in (m.ADVANCE, m.INVITE_CLOSE):
        return f'First answer the rep\'s question in one sentence with what the real buyer said in the call: "{answer}". Then: {instruction}'
    return instruction


def nearest_section(move: m.ProspectMove) -> str:
    """The call's buyer lines nearest to the rep's last message, for the prompt ("" for none)."""
    lines = move.reading.nearest if move.reading else ()
    if not lines:
        return ""
    shown = "\n".join(f'- "{quoted(line, 300)}"' for line in lines)
    return (
        "\n\nWhat the real buyer said in the call closest to the rep's last message (answer from these "
        f"when they fit; never invent figures or facts):\n{shown}"
    )
