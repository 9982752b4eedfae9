"""The labelled judge set's derived replies: made from the hand-written ones, never mixed across
splits, and the file holds exactly what the builder derives."""

from __future__ import annotations

import json
from importlib import resources

from agents.scripts import EVAL_REPORTED_SCRIPT_NAMES, EVAL_TUNING_SCRIPT_NAMES
from agents.scripts.judge_set import (
    ALTERNATING,
    APPENDED_NONSENSE,
    APPENDED_UNRELATED,
    DERIVED_KINDS,
    ECHO_BOOKING,
    INTERLEAVED,
    JUDGE_SET_FILE,
    OTHER_OBJECTION,
    judge_set_json,
    load_judge_set,
    with_derived_replies,
)


def _raw() -> dict:
    return json.loads(resources.files("agents.scripts").joinpath(JUDGE_SET_FILE).read_text("utf-8"))


def test_the_file_holds_exactly_the_derived_replies_the_builder_makes():
    raw = _raw()

    assert judge_set_json(with_derived_replies(raw)) == judge_set_json(raw)


def test_every_moment_has_every_derived_kind_and_each_must_fail():
    for moment in load_judge_set():
        derived = moment.of_kind(*DERIVED_KINDS)
        assert sorted(r.kind for r in derived) == sorted(DERIVED_KINDS), moment.script
        assert all(r.expected == "fail" for r in derived)


def test_derived_replies_are_built_from_this_moment_and_its_own_split_only():
    moments = load_judge_set()
    split_of = {
        **dict.fromkeys(EVAL_TUNING_SCRIPT_NAMES, "tuning"),
        **dict.fromkeys(EVAL_REPORTED_SCRIPT_NAMES, "reported"),
    }
    for moment in moments:
        (champion,) = moment.of_kind("champion")
        paraphrase = moment.of_kind("paraphrase")[0]
        kinds = {r.kind: r.text for r in moment.of_kind(*DERIVED_KINDS)}
        assert kinds[APPENDED_NONSENSE].startswith(champion.text)
        assert kinds[APPENDED_UNRELATED].startswith(paraphrase.text)
        assert set(champion.text.split()) <= set(kinds[INTERLEAVED].split())
        assert len(kinds[INTERLEAVED].split()) > 1.4 * len(champion.text.split())
        assert kinds[ALTERNATING] != champion.text
        same_call = [m for m in moments if m.script == moment.script and m.objection_index != moment.objection_index]
        assert kinds[OTHER_OBJECTION] in [m.of_kind("champion")[0].text for m in same_call]
        assert kinds[ECHO_BOOKING].endswith("Let's book a call to talk it through.")
        # The borrowed texts (nonsense, another call's answer) come from the same split.
        others = [m for m in moments if m.script != moment.script]
        borrowed = kinds[APPENDED_UNRELATED][len(paraphrase.text) :].strip()
        donor = next(m for m in others if m.of_kind("champion")[0].text == borrowed)
        assert split_of[donor.script] == split_of[moment.script]
