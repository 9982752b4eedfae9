"""The prospect's answers to labelled questions (``agents/scripts/buyer_questions.json``): the
scripts its thresholds were tuned on, and the reported ones, measured with those thresholds."""

from __future__ import annotations

import pytest

from agents.reasoning.listening.evaluation import SETS, evaluate_answers, labelled_questions


@pytest.mark.parametrize("set_name", SETS)
def test_questions_the_call_answers_get_the_buyers_answer_and_off_topic_ones_are_told_apart(set_name):
    figures = evaluate_answers(set_name)

    assert figures.answerable >= 20
    assert figures.share(figures.right, figures.answerable) >= 0.8, figures.misses
    assert figures.share(figures.wrong, figures.answerable) <= 0.1, figures.misses
    assert figures.share(figures.recognised_off_topic, figures.off_topic) >= 0.75, figures.misses


def test_the_reported_scripts_are_the_evaluation_scripts_reported_apart_from_the_tuning_ones():
    from agents.scripts import EVAL_REPORTED_SCRIPT_NAMES

    questions = labelled_questions()
    assert set(questions["report"]) == set(EVAL_REPORTED_SCRIPT_NAMES)
    assert not set(questions["report"]) & set(questions["tuning"])
