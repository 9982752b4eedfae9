"""The evaluation data (scripts and the judge's labelled set) and the figures computed on it.

These tests check that the data is well formed and that the figures are computed right; they do
not assert that the engines meet their goals (the report prints that, see README.md).
"""

from __future__ import annotations

from collections import Counter

import pytest

from agents.reasoning import CATEGORIES
from agents.scripts import (
    EVAL_REPORTED_SCRIPT_NAMES,
    EVAL_SCRIPT_NAMES,
    EVAL_TUNING_SCRIPT_NAMES,
    SCRIPT_NAMES,
    load_script,
    load_scripts,
)
from agents.scripts.judge_set import ADVERSARIAL_KINDS, PARAPHRASE, WEAK, load_judge_set

MIN_ADVERSARIAL_OR_WEAK = 6


def test_evaluation_scripts_are_split_into_disjoint_tuning_and_reported_sets():
    assert set(EVAL_TUNING_SCRIPT_NAMES).isdisjoint(EVAL_REPORTED_SCRIPT_NAMES)
    assert set(EVAL_SCRIPT_NAMES).isdisjoint(SCRIPT_NAMES)
    assert len(EVAL_SCRIPT_NAMES) == len(set(EVAL_SCRIPT_NAMES)) >= 8
    assert EVAL_TUNING_SCRIPT_NAMES and EVAL_REPORTED_SCRIPT_NAMES


def test_evaluation_scripts_load_with_labels_the_extractor_knows():
    scripts = load_scripts(EVAL_SCRIPT_NAMES)

    assert len({script.industry for script in scripts}) == len(scripts)
    assert not {script.industry for script in scripts} & {script.industry for script in load_scripts()}
    for script in scripts:
        labels = Counter(turn.label for turn in script.turns)
        assert set(labels) - {None} <= set(CATEGORIES), script.name
        assert 3 <= labels["objection"] <= 4, script.name
        assert labels["objection_response"] == labels["objection"], script.name
        assert all(turn.label != "objection" for turn in script.turns if turn.speaker == "champion"), script.name
        # Buyer lines that are not objections (requests, agreements, plain answers) are part of
        # what the extractor must leave alone.
        assert sum(turn.speaker == "other" and turn.label is None for turn in script.turns) >= 6, script.name


def test_every_objection_of_every_evaluation_script_has_a_full_labelled_moment():
    moments = {(m.script, m.objection_index): m for m in load_judge_set()}

    for name in EVAL_SCRIPT_NAMES:
        turns = load_script(name).turns
        objections = [i for i, turn in enumerate(turns) if turn.label == "objection"]
        for index, turn_index in enumerate(objections):
            moment = moments.pop((name, index))
            answer = next(t for t in turns[turn_index + 1 :] if t.label == "objection_response")
            assert moment.objection == turns[turn_index].text
            assert [r.text for r in moment.of_kind("champion")] == [answer.text]
            assert len(moment.of_kind(PARAPHRASE)) >= 2
            assert len(moment.of_kind(*ADVERSARIAL_KINDS, WEAK)) >= MIN_ADVERSARIAL_OR_WEAK
            assert {r.kind for r in moment.of_kind(*ADVERSARIAL_KINDS)} == set(ADVERSARIAL_KINDS)
    assert not moments, "labelled moments for objections no script holds"


def test_labelled_replies_expect_a_pass_exactly_when_they_are_strong():
    for moment in load_judge_set():
        texts = [reply.text for reply in moment.replies]
        assert len(texts) == len(set(texts)), moment.script
        for reply in moment.replies:
            assert reply.expected == ("pass" if reply.kind in ("champion", PARAPHRASE) else "fail")


def test_an_unknown_script_name_is_refused():
    with pytest.raises(KeyError):
        load_script("no_such_script")
