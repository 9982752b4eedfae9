"""How well the prospect answers a rep's questions from the champion's call, on labelled
questions (``agents/scripts/buyer_questions.json``): the questions of the tuning scripts set
the thresholds of :mod:`.reading`, the report scripts were measured with them as set, and both
figures are given apart.

Per set: of the questions the call answers, the share answered with the right buyer line, with
a wrong one, or not at all; of the questions it does not answer, the share the prospect keeps
from answering with a line of the call (an invented answer would be worse than none), and of
the off-topic ones, the share it recognises as unrelated to the buyer's business.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from agents.providers.embeddings import get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.evaluation import script_patterns
from agents.reasoning.listening.buyer_turns import BuyerTurns, buyer_turns_from_transcript
from agents.reasoning.listening.reading import read_reply
from agents.reasoning.listening.vectors import shared_embedder
from agents.reasoning.scenarios import generate_scenarios_offline
from agents.scripts import load_script, transcript_from_script
from agents.types import CallMetrics, Objection, ScenarioSpec

SETS = ("tuning", "report")


@dataclass(frozen=True)
class AnswerFigures:
    answerable: int
    right: int
    wrong: int
    unanswerable: int
    held_back: int  # unanswerable questions not answered from the call
    off_topic: int
    recognised_off_topic: int
    misses: tuple[str, ...]  # "script: question -> what the prospect said"

    def share(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0


@cache
def labelled_questions() -> dict[str, dict[str, list[dict]]]:
    raw = resources.files("agents.scripts").joinpath("buyer_questions.json").read_text("utf-8")
    data = json.loads(raw)
    return {name: data[name] for name in SETS}


def script_call(script_name: str) -> tuple[ScenarioSpec, BuyerTurns]:
    """The hard scenario of a labelled script and its buyer's lines, as a session would get them.

    The scenario's objections are the script's labelled ones, not the extractor's: a buyer line
    the extractor takes for an objection is left out of the answers (the prospect raises it in
    turn instead), which would measure the extractor here, not the answers."""
    script = load_script(script_name)
    transcript = transcript_from_script(script)
    metrics = CallMetrics(transcript.duration, 150.0, 1.0, 0, 0.0, 20.0, 0.5, 6)
    scenarios = generate_scenarios_offline(script_patterns(script_name), transcript, metrics)
    labelled = [Objection(turn.text) for turn in script.turns if turn.label == cat.OBJECTION]
    scenario = dataclasses.replace(next(s for s in scenarios if s.difficulty == "hard"), objections=labelled)
    return scenario, buyer_turns_from_transcript(transcript, embedder=get_embedder())


def evaluate_answers(set_name: str) -> AnswerFigures:
    counts = dict.fromkeys(
        ("answerable", "right", "wrong", "unanswerable", "held_back", "off_topic", "recognised_off_topic"), 0
    )
    misses: list[str] = []
    for script_name, questions in labelled_questions()[set_name].items():
        scenario, turns = script_call(script_name)
        for item in questions:
            reading = read_reply(item["question"], scenario, stage=0, buyer_turns=turns, embedder=shared_embedder())
            from_call = reading.answer if reading.answer_source == "call" else None
            said = f"{script_name}: {item['question']} -> {reading.answer!r} ({reading.answer_score:.2f})"
            if item["answer"] is not None:
                counts["answerable"] += 1
                right = from_call is not None and item["answer"].lower() in from_call.lower()
                if right:
                    counts["right"] += 1
                else:
                    counts["wrong"] += from_call is not None
                    misses.append(said)
                continue
            counts["unanswerable"] += 1
            counts["held_back"] += from_call is None
            if from_call is not None:
                misses.append(said)
            if item.get("kind") == "off_topic":
                counts["off_topic"] += 1
                counts["recognised_off_topic"] += not reading.related
    return AnswerFigures(**counts, misses=tuple(misses))


def answer_report(set_name: str) -> str:
    f = evaluate_answers(set_name)
    unanswered = f.answerable - f.right - f.wrong
    return (
        f"{set_name}: answered right {f.right}/{f.answerable} ({f.share(f.right, f.answerable):.0%}), "
        f"wrong line {f.wrong}, not answered {unanswered}; questions the call leaves open kept from a "
        f"call line {f.held_back}/{f.unanswerable} ({f.share(f.held_back, f.unanswerable):.0%}); off-topic "
        f"recognised {f.recognised_off_topic}/{f.off_topic}"
    )


if __name__ == "__main__":
    for set_name in SETS:
        print(answer_report(set_name))
