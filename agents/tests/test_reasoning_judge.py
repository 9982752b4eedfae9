"""The offline judge: ordering of strong and weak replies, determinism, feedback with timestamps."""

from __future__ import annotations

import dataclasses
import re

import pytest

from agents.reasoning.evaluation import evaluate_judge, script_patterns
from agents.reasoning.judge import WEIGHTS, JudgeMoment, judge_reply_offline, pass_mark
from agents.reasoning.scenarios import recording_objections


@pytest.fixture(scope="module")
def playbook():
    patterns = script_patterns("saas_helpdesk")
    return patterns, recording_objections(patterns)


def test_judge_scores_the_strong_reply_higher_in_at_least_90_percent_of_labelled_pairs():
    evaluation = evaluate_judge()

    assert len(evaluation.pairs) >= 40
    assert len({pair.script for pair in evaluation.pairs}) >= 2
    assert evaluation.pairwise_accuracy >= 0.9


def test_same_reply_in_the_same_moment_gets_the_same_evaluation(playbook):
    patterns, objections = playbook
    moment = JudgeMoment(stage="objection", prospect_line=objections[0].text, objection=objections[0])
    reply = "I understand the price concern. What does a lost customer cost you today?"

    first = judge_reply_offline(reply, moment=moment, patterns=patterns)
    second = judge_reply_offline(reply, moment=moment, patterns=patterns)

    assert dataclasses.asdict(first) == dataclasses.asdict(second)


def test_evaluation_has_weighted_criteria_and_quotes_the_champions_answer_with_its_timestamp(playbook):
    patterns, objections = playbook
    moment = JudgeMoment(stage="objection", prospect_line=objections[0].text, objection=objections[0])

    evaluation = judge_reply_offline("That's our price.", moment=moment, patterns=patterns)

    assert set(evaluation.criteria) == set(WEIGHTS)
    assert sum(evaluation.weights.values()) == pytest.approx(1.0)
    assert evaluation.score == round(sum(WEIGHTS[k] * v for k, v in evaluation.criteria.items()))
    assert 0 <= evaluation.score <= 100
    assert evaluation.judge == "offline"
    reference = evaluation.reference
    assert reference is not None
    assert reference.category == "objection_response"
    assert reference.text == objections[0].champion_response
    assert patterns[reference.pattern_index].text == reference.text
    minutes, seconds = divmod(int(reference.start), 60)
    assert evaluation.feedback[0].startswith(
        f"At {minutes:02d}:{seconds:02d} your champion answered the price objection"
    )
    assert reference.text in evaluation.feedback[0]
    # A curt reply gets concrete tips on what it lacked.
    assert any("acknowledging the concern" in line for line in evaluation.feedback)
    assert any(re.search(r"open question", line) for line in evaluation.feedback)


def test_precomputed_pattern_vectors_give_the_same_score(playbook):
    from agents.providers.embeddings import embed

    patterns, objections = playbook
    moment = JudgeMoment(stage="objection", prospect_line=objections[1].text, objection=objections[1])
    reply = "Fair concern. We migrate over a weekend so your agents keep working. When does your season start?"

    computed = judge_reply_offline(reply, moment=moment, patterns=patterns)
    stored = judge_reply_offline(
        reply, moment=moment, patterns=patterns, pattern_vectors=embed([p.text for p in patterns])
    )

    assert stored.criteria == computed.criteria


def test_closing_moment_is_judged_against_the_champions_close(playbook):
    patterns, _ = playbook
    moment = JudgeMoment(stage="closing", prospect_line="What would the next step be?")

    strong = judge_reply_offline(
        "Can we book thirty minutes next Tuesday with your finance director to review the business case?",
        moment=moment,
        patterns=patterns,
    )
    weak = judge_reply_offline("Whatever works for you.", moment=moment, patterns=patterns)

    assert strong.reference is not None
    assert strong.reference.category in ("closing", "value_statement")
    assert strong.score > weak.score + 20


def test_an_unknown_stage_is_refused(playbook):
    patterns, _ = playbook
    with pytest.raises(ValueError):
        judge_reply_offline("Hello", moment=JudgeMoment(stage="small_talk", prospect_line="Hi"), patterns=patterns)


# The demo champion's price objection (seed_demo's FlowDesk call), tried as a rep at easy: sound
# answers of another technique than the champion's pass, nonsense and keyword salad still fail.
DEMO_SOUND_ANSWERS = (
    "I hear you on price. What does a missed support ticket cost you today, in churned customers?",
    "Teams like yours cut first response time by a third in the first month, which more than pays for the seats.",
)
DEMO_MUST_FAIL = (
    "Purple elephants dance on Tuesday, which means you get 30 percent more bananas. About the price. Let's book a call.",
    "I understand, price, current tool, higher price. Great question about the price. What do you pay? "
    "Let's book a meeting.",
)


@pytest.fixture(scope="module")
def demo_price_moment(playbook):
    from agents.providers.embeddings import embed

    patterns, objections = playbook
    (price,) = [o for o in objections if "price you sent over" in o.text]
    moment = JudgeMoment(stage="objection", prospect_line=price.text, objection=price)
    return moment, patterns, embed([p.text for p in patterns])


@pytest.mark.xfail(
    strict=True,
    reason="the offline judge (version 4) credits a sound answer of the rep's own only when its words "
    "stay near the buyer's line and each clause makes sense alone: these two are short and speak of "
    "tickets and response time, not of the price (README, evaluate_judge)",
)
@pytest.mark.parametrize("reply", DEMO_SOUND_ANSWERS)
def test_a_sound_answer_of_another_technique_passes_at_easy(demo_price_moment, reply):
    moment, patterns, vectors = demo_price_moment

    evaluation = judge_reply_offline(reply, moment=moment, patterns=patterns, pattern_vectors=vectors)

    assert evaluation.score >= pass_mark("easy")
    assert not any("not about the concern" in line for line in evaluation.feedback)


@pytest.mark.parametrize("reply", DEMO_MUST_FAIL)
def test_nonsense_and_keyword_salad_on_the_demo_price_objection_still_fail_at_easy(demo_price_moment, reply):
    moment, patterns, vectors = demo_price_moment

    evaluation = judge_reply_offline(reply, moment=moment, patterns=patterns, pattern_vectors=vectors)

    assert evaluation.score < pass_mark("easy")


@pytest.mark.parametrize("reply", ["ok", "Sure thing.", "Price, value"])
def test_a_reply_of_a_few_words_is_told_it_is_too_short_not_that_it_is_keywords(demo_price_moment, reply):
    moment, patterns, vectors = demo_price_moment

    evaluation = judge_reply_offline(reply, moment=moment, patterns=patterns, pattern_vectors=vectors)

    assert evaluation.score < pass_mark("easy")
    assert any(line.startswith("Your reply is too short to answer the concern") for line in evaluation.feedback)
    assert not any("list of keywords" in line for line in evaluation.feedback)


def test_a_keyword_salad_long_enough_to_be_an_answer_is_still_told_it_is_keywords(demo_price_moment):
    moment, patterns, vectors = demo_price_moment

    evaluation = judge_reply_offline(
        "price value ROI discount budget cost value price", moment=moment, patterns=patterns, pattern_vectors=vectors
    )

    assert any("not a list of keywords" in line for line in evaluation.feedback)
    assert not any("too short" in line for line in evaluation.feedback)


def test_a_short_pushy_reply_is_told_not_to_pressure_the_buyer(demo_price_moment):
    moment, patterns, vectors = demo_price_moment

    evaluation = judge_reply_offline("Just sign today.", moment=moment, patterns=patterns, pattern_vectors=vectors)

    assert any(line.startswith("Do not pressure or brush off the buyer") for line in evaluation.feedback)
    assert not any("too short" in line for line in evaluation.feedback)
