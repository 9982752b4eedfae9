"""A sound answer of the rep's own earns the judge's credit (version 4), on a shipped script's
objection (not the judge set's evaluation scripts): it passes at easy and says so in the feedback,
while nonsense hung on the objection's words, the champion's answer to another objection, a
short platitude and an echo of the objection earn nothing from it."""

from __future__ import annotations

import pytest

from agents.providers.embeddings import embed
from agents.reasoning.evaluation import script_patterns
from agents.reasoning.judge import JudgeMoment, judge_reply_offline, pass_mark
from agents.reasoning.judge.meaning import meaning_signals
from agents.reasoning.judge.scoring import answer_credit
from agents.reasoning.judge.sense import without_words
from agents.reasoning.scenarios import recording_objections

# hotel_payroll: "Our payroll provider already has a scheduling module. Why would I pay for a
# second system?" The champion answers with shift-work features; these reps answer otherwise.
OWN_WAY_ANSWER = (
    "A hotel group like yours kept its payroll provider and added us only for the rota; their managers "
    "got back half a day a week. We could try it in one hotel for a month and compare."
)
# A known limit: each clause is judged alone, and "that is the gap we close" means nothing without
# the question before it, so the sense check takes it for padding (README, evaluate_judge).
ANAPHORIC_ANSWER = (
    "How many hours a week do your managers spend fixing the rota by hand when someone calls in sick? "
    "If it is more than a couple, that is the gap we close, and your payroll stays exactly where it is."
)
NOT_ANSWERS = {
    "nonsense on the objection's words": (
        "The payroll provider of the moon schedules a second system of singing clouds on Tuesdays. "
        "I hear you. Let's book a call."
    ),
    "platitude": "We are much better than a scheduling module. Managers like us.",
    "echo": "Your payroll provider already has a scheduling module, so why would you pay for a second system? "
    "Great question. Let's book a call.",
}


@pytest.fixture(scope="module")
def incumbent_moment():
    patterns = script_patterns("hotel_payroll")
    (objection,) = [o for o in recording_objections(patterns) if "scheduling module" in o.text]
    vectors = embed([p.text for p in patterns])
    return JudgeMoment("objection", objection.text, objection), patterns, vectors


def _judge(reply, scene):
    moment, patterns, vectors = scene
    return judge_reply_offline(reply, moment=moment, patterns=patterns, pattern_vectors=vectors)


def _credit(reply, scene) -> float:
    moment, patterns, vectors = scene
    from agents.providers.embeddings import get_embedder

    signals = meaning_signals(reply, moment=moment, patterns=patterns, pattern_vectors=vectors, embedder=get_embedder())
    return answer_credit(signals, 1.0)


def test_a_sound_answer_of_the_reps_own_passes_at_easy_and_is_told_so(incumbent_moment):
    evaluation = _judge(OWN_WAY_ANSWER, incumbent_moment)

    assert evaluation.score >= pass_mark("easy"), evaluation
    assert any("in your own way" in line for line in evaluation.feedback)
    # The champion's own move is still quoted, with its timestamp, for the rep to learn from.
    assert evaluation.feedback[0].startswith("At ")


@pytest.mark.xfail(strict=True, reason="clauses are judged one by one: an anaphoric clause reads as senseless")
def test_an_answer_whose_second_clause_leans_on_the_first_passes(incumbent_moment):
    assert _judge(ANAPHORIC_ANSWER, incumbent_moment).score >= pass_mark("easy")


@pytest.mark.parametrize("kind", sorted(NOT_ANSWERS))
def test_what_is_no_answer_earns_no_credit_and_fails(incumbent_moment, kind):
    reply = NOT_ANSWERS[kind]

    assert _credit(reply, incumbent_moment) < 0.2, kind
    assert _judge(reply, incumbent_moment).score < pass_mark("easy"), kind


def test_the_champions_answer_to_another_objection_earns_no_credit(incumbent_moment):
    moment, patterns, _ = incumbent_moment
    others = [o for o in recording_objections(patterns) if o.text != moment.objection.text and o.champion_response]

    for other in others:
        assert _credit(other.champion_response, incumbent_moment) < 0.2, other.text


def test_without_words_keeps_what_the_buyer_did_not_say():
    said = frozenset({"payroll", "provider", "module"})

    assert without_words("Your payroll provider has a module.", said) == "Your has a ."
    assert without_words("Payroll provider module", said) == "."
