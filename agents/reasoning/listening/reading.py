"""What the rep's reply says, as the buyer hears it: a question to answer (and the answer, from
the buyer's side of the champion's call or else from the scenario), a next step proposed, and
whether it names the concern on the table.

Meaning is read with the sentence embedder the judge uses (the same vectors: the reply is
embedded once for both, :mod:`.vectors`); the thresholds below were set on the tuning scripts
of :mod:`.evaluation`, which reports them on scripts they were not set on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.reasoning import categories as cat
from agents.reasoning.categories.phrases import phrase_pattern
from agents.reasoning.extraction import is_question
from agents.reasoning.listening.buyer_turns import BuyerTurns, Match, nearest_lines
from agents.reasoning.listening.clean import clean_line, sentences_of
from agents.reasoning.listening.steps import NextStep, next_step_in
from agents.reasoning.listening.vectors import TextEmbedder
from agents.types import ScenarioSpec

# A buyer line answers the rep's question from this score (line_scores: the cosine of the
# question with the line's words and with the champion's question before it).
CALL_ANSWER_MIN = 0.33
# A line of the scenario (who the buyer is, what they said hurts) answers from this cosine.
SCENARIO_ANSWER_MIN = 0.40
# Below this for every line, the question is not about the buyer's business at all.
RELATED_MIN = 0.22
# The reply is about the concern on the table from this cosine with the objection.
NAMED_MIN = 0.40
NEAREST_LINES = 3
# The closest lines a question is checked against for what it counts.
CANDIDATES = 3
# "How many tractors...?" answered by a line that counts acres: what is counted must be named
# (by the line or the champion's question before it), or the match counts this much less.
COUNTED_MISSING_PENALTY = 0.12
_COUNTED = re.compile(r"\bhow (?:many|much)\s+(?:of\s+)?(?:your\s+|the\s+)?([a-z][a-z'-]+)")

_OFFER = phrase_pattern(
    "would it help if", "do you want me to", "shall i", "should i", "can i", "could i", "may i", "let me"
)
# A check-in asks for agreement, not for facts: the buyer's answer to it is the verdict itself.
_CHECK_IN = phrase_pattern(
    "would that work",
    "does that work",
    "would this work",
    "does that make sense",
    "does this make sense",
    "makes sense",
    "does that help",
    "would that help",
    "is that fair",
    "is that okay",
    "is that ok",
    "sound good",
    "sounds good",
    "fair enough",
)
_REQUEST = re.compile(
    r"^(?:so,? |and )?(?:please )?(?:tell me|walk me through|describe|talk me through|help me understand)\b"
)
_WORD = re.compile(r"[a-z']+")
# Long words that say nothing about the concern ("would", "really", "company").
_COMMON = frozenset(
    (
        "about",
        "after",
        "again",
        "anything",
        "being",
        "business",
        "companies",
        "company",
        "could",
        "every",
        "going",
        "other",
        "people",
        "really",
        "should",
        "something",
        "still",
        "their",
        "there",
        "these",
        "thing",
        "things",
        "think",
        "those",
        "today",
        "under",
        "where",
        "which",
        "while",
        "would",
        "years",
    )
)
_BUYER_QUOTE = re.compile(r"\bbuyer\b[^\"“]{0,40}[\"“]([^\"”]+)[\"”]", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyReading:
    question: str | None = None  # the rep's question the buyer takes up
    answer: str | None = None  # the buyer's answer to it, in their own words
    answer_source: str | None = None  # "call" (the champion's call) or "scenario"
    answer_score: float = 0.0
    related: bool = False  # the question is about the buyer's business, answered or not
    next_step: NextStep | None = None
    names_concern: bool = False  # the reply is about the concern on the table
    nearest: tuple[str, ...] = ()  # the call's buyer lines nearest to the reply


def last_reply(history: Sequence[tuple[str, str]]) -> str | None:
    """The trainee reply being answered: the last message of ``history`` when it is the rep's."""
    if history and history[-1][0] == "trainee":
        return history[-1][1]
    return None


def read_reply(
    reply: str,
    scenario: ScenarioSpec,
    *,
    stage: int,
    buyer_turns: BuyerTurns | None,
    embedder: TextEmbedder,
) -> ReplyReading:
    """Read ``reply`` at ``stage`` of ``scenario`` against the buyer's lines of the call."""
    text = reply.strip()
    questions = [s for s in sentences_of(text) if _asks(s)]
    objections = [o.text for o in scenario.objections]
    on_the_table = objections[stage] if stage < len(objections) else None
    texts = list(dict.fromkeys([text, *questions, *([on_the_table] if on_the_table else [])]))
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    turns = buyer_turns or BuyerTurns()

    answer = _answer(questions, vectors, scenario, turns, objections, embedder)
    nearest_to = vectors[answer.question] if answer.question else vectors[text]
    nearest = nearest_lines(turns, nearest_to, excluding=objections, limit=NEAREST_LINES)
    names_concern = on_the_table is not None and (
        float(vectors[text] @ vectors[on_the_table]) >= NAMED_MIN or _shares_content(text, on_the_table)
    )
    return ReplyReading(
        question=answer.question,
        answer=answer.text,
        answer_source=answer.source,
        answer_score=answer.score,
        related=answer.related,
        next_step=next_step_in(text),
        names_concern=names_concern,
        nearest=tuple(match.text for match in nearest),
    )


@dataclass(frozen=True)
class _Answer:
    question: str | None = None
    text: str | None = None
    source: str | None = None
    score: float = 0.0
    related: bool = False


def _answer(
    questions: Sequence[str],
    vectors: dict[str, np.ndarray],
    scenario: ScenarioSpec,
    turns: BuyerTurns,
    objections: Sequence[str],
    embedder: TextEmbedder,
) -> _Answer:
    """The best answer to any of the rep's ``questions``: a buyer line of the call, else a line
    of the scenario, else none (with whether the question was related at all)."""
    if not questions:
        return _Answer()
    candidates = [
        (q, _counted_match(q, m, turns))
        for q in questions
        for m in nearest_lines(turns, vectors[q], excluding=objections, limit=CANDIDATES)
    ]
    best_call = max(candidates, key=lambda pair: pair[1].score, default=None)
    if best_call and best_call[1].score >= CALL_ANSWER_MIN:
        question, match = best_call
        return _Answer(question, match.text, "call", match.score, related=True)
    facts = scenario_facts(scenario)
    fact_scores = embedder.embed(facts) @ np.stack([vectors[q] for q in questions]).T if facts else np.zeros((0, 1))
    call_score = best_call[1].score if best_call else 0.0
    if fact_scores.size and float(fact_scores.max()) >= SCENARIO_ANSWER_MIN:
        fact, question = np.unravel_index(int(np.argmax(fact_scores)), fact_scores.shape)
        score = float(fact_scores[fact, question])
        return _Answer(questions[question], facts[fact], "scenario", score, related=True)
    best_fact = float(fact_scores.max()) if fact_scores.size else 0.0
    return _Answer(questions[0], related=max(call_score, best_fact) >= RELATED_MIN)


def _counted_match(question: str, match: Match, turns: BuyerTurns) -> Match:
    counted = _COUNTED.search(question.lower())
    if counted is None:
        return match
    line = turns.lines[match.index]
    if counted.group(1)[:5] in f"{line.text} {line.prompt}".lower():
        return match
    return dataclasses.replace(match, score=match.score - COUNTED_MISSING_PENALTY)


def scenario_facts(scenario: ScenarioSpec) -> list[str]:
    """What the scenario says about the buyer, as the buyer would say it: who they are, and the
    lines of theirs the scenario quotes (the champion's pitch, also quoted, is not theirs)."""
    facts = []
    who = _who(scenario.persona)
    if who:
        facts.append(f"I'm {who[0].lower() + who[1:] if who.startswith('The ') else who}.")
    facts.extend(clean_line(quote) for quote in _BUYER_QUOTE.findall(scenario.context))
    return [fact for fact in facts if fact]


def _who(persona: str) -> str:
    """ "The operations director of a logistics company, skeptical and guarded, ..." -> its
    first part; "Daniel, head of support at an online store" keeps the name with the role."""
    parts = [part.strip() for part in persona.strip().rstrip(".").split(",")]
    if not parts or not parts[0]:
        return ""
    if len(parts) > 1 and len(parts[0].split()) == 1:
        return f"{parts[0]}, {parts[1]}"
    return parts[0]


def _asks(sentence: str) -> bool:
    """A question the buyer can answer: not a proposal, an offer, a check-in or an agenda check."""
    lowered = sentence.lower().strip()
    if lowered.endswith((".", "!")):
        # Punctuated as a statement ("When you add up the tickets, ..."): only a request to
        # talk ("Tell me about your team.") asks anything. Unpunctuated speech falls back on
        # the interrogative start.
        if not _REQUEST.match(lowered):
            return False
    elif not is_question(sentence):
        return False
    if next_step_in(sentence) is not None:
        return False
    return not (_OFFER.search(lowered) or _CHECK_IN.search(lowered) or cat.AGENDA_CHECK.search(lowered))


def _shares_content(reply: str, objection: str) -> bool:
    """A long word of the objection in the reply, compared on its first five letters ("price",
    "telematics" / "telematic")."""

    def stems(text: str) -> set[str]:
        return {word[:5] for word in _WORD.findall(text.lower()) if len(word) >= 5 and word not in _COMMON}

    return bool(stems(reply) & stems(objection))
