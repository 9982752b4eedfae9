"""The labelled judge set's derived replies: made from the hand-written ones, never mixed across
splits, and the file holds exactly what the builder derives."""

from __future__ import annotations

import json
from importlib import resources

from agents.scripts import EVAL_REPORTED_SCRIPT_NAMES, EVAL_TUNING_SCRIPT_NAMES
from agents.scripts.judge_set import (
    ALTERNATING,
    ALTERNATIVE,
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


def test_alternatives_are_two_fresh_must_pass_answers_per_moment_not_the_champions_words():
    for moment in load_judge_set():
        alternatives = moment.of_kind(ALTERNATIVE)
        assert len(alternatives) == 2, moment.script
        assert all(r.expected == "pass" for r in alternatives)
        champion_words = set(moment.of_kind("champion")[0].text.lower().split())
        for reply in alternatives:
            assert reply.text not in [r.text for r in moment.of_kind("champion", "paraphrase")]
            # Written fresh: most of its words are not the champion's.
            words = reply.text.lower().split()
            assert sum(w in champion_words for w in words) / len(words) < 0.5, reply.text


def test_the_builder_keeps_alternatives_and_derives_nothing_from_them():
    raw = _raw()
    rebuilt = with_derived_replies(raw)
    for before, after in zip(raw["moments"], rebuilt["moments"], strict=True):
        kept = [r for r in after["replies"] if r["kind"] == ALTERNATIVE]
        assert kept == [r for r in before["replies"] if r["kind"] == ALTERNATIVE]
        alternative_texts = {r["text"] for r in kept}
        for derived in (r for r in after["replies"] if r["kind"] in DERIVED_KINDS):
            assert not any(text in derived["text"] for text in alternative_texts)
