"""The evaluation data (scripts and the judge's labelled set) and the figures computed on it.

These tests check that the data is well formed and that the figures are computed right; they do
not assert that the engines meet their goals (the report prints that, see README.md).
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from agents.reasoning import CATEGORIES
from agents.reasoning.evaluation_judge_set import (
    DIFFICULTIES,
    ScoredReply,
    evaluate_judge_set,
    judge_set_figures,
    judge_set_summary,
    ranking_pairs,
)
from agents.reasoning.evaluation_objections import ObjectionDetection, detection_counts, evaluate_objection_detection
from agents.reasoning.evaluation_playbooks import EXTRACTED, LABELLED, build_playbook, labelled_patterns
from agents.reasoning.prospect import pass_score
from agents.scripts import (
    EVAL_REPORTED_SCRIPT_NAMES,
    EVAL_SCRIPT_NAMES,
    EVAL_TUNING_SCRIPT_NAMES,
    SCRIPT_NAMES,
    load_script,
    load_scripts,
)
from agents.scripts.judge_set import (
    ADVERSARIAL_KINDS,
    ALTERNATIVE,
    PARAPHRASE,
    PASSING_KINDS,
    WEAK,
    judge_set_for,
    load_judge_set,
)

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
            assert len(moment.of_kind(ALTERNATIVE)) == 2
            assert len(moment.of_kind(*ADVERSARIAL_KINDS, WEAK)) >= MIN_ADVERSARIAL_OR_WEAK
            assert {r.kind for r in moment.of_kind(*ADVERSARIAL_KINDS)} == set(ADVERSARIAL_KINDS)
    assert not moments, "labelled moments for objections no script holds"


def test_labelled_replies_expect_a_pass_exactly_when_they_are_strong():
    for moment in load_judge_set():
        texts = [reply.text for reply in moment.replies]
        assert len(texts) == len(set(texts)), moment.script
        for reply in moment.replies:
            assert reply.expected == ("pass" if reply.kind in PASSING_KINDS else "fail")


def test_an_unknown_script_name_is_refused():
    with pytest.raises(KeyError):
        load_script("no_such_script")


# The figures, on a tiny hand-made case: two objections of two calls, scores chosen by hand.
HAND_SCORED = [
    ScoredReply("a", 0, "champion", "pass", "champion a", 80),
    ScoredReply("a", 0, "paraphrase", "pass", "paraphrase a", 60),
    ScoredReply("a", 0, "nonsense", "fail", "nonsense a", 65),
    ScoredReply("a", 0, "weak", "fail", "weak a", 40),
    ScoredReply("b", 0, "champion", "pass", "champion b", 50),
    ScoredReply("b", 0, "salad", "fail", "salad b", 50),
    ScoredReply("b", 0, ALTERNATIVE, "pass", "alternative b", 55),
]


def hand_pass_mark(script: str, difficulty: str) -> int:
    return {"easy": 50, "medium": 60, "hard": 70}[difficulty] + (5 if (script, difficulty) == ("b", "hard") else 0)


@pytest.fixture(scope="module")
def hand_figures():
    return judge_set_figures(HAND_SCORED, split="tuning", scripts=("a", "b"), pass_mark=hand_pass_mark)


def test_ranking_counts_must_pass_replies_strictly_above_every_must_fail_reply_of_their_moment(hand_figures):
    # a: 80 > 65, 80 > 40, 60 < 65, 60 > 40; b: a tie of 50 and 50 is no ranking, the alternative
    # 55 > 50; the alternative and the champion's answer are no pair.
    assert len(ranking_pairs(HAND_SCORED)) == hand_figures.ranking_pairs == 6
    assert hand_figures.ranking == pytest.approx(4 / 6)


def test_pass_rates_apply_each_calls_pass_mark_at_each_difficulty(hand_figures):
    per_difficulty = hand_figures.per_difficulty
    assert tuple(per_difficulty) == DIFFICULTIES
    easy, medium, hard = (per_difficulty[d] for d in DIFFICULTIES)

    assert (easy.strong_pass_rate, easy.adversarial_pass_rate, easy.weak_pass_rate) == (1.0, 1.0, 0.0)
    assert medium.strong_pass_rate == pytest.approx(2 / 3)
    assert medium.adversarial_pass_rate == 0.5
    assert hard.strong_pass_rate == pytest.approx(1 / 3)
    assert hard.adversarial_pass_rate == 0.0
    assert hard.pass_marks == (70, 75)
    assert medium.pass_rate_by_kind == {
        "champion": 0.5,
        "paraphrase": 1.0,
        ALTERNATIVE: 0.0,
        "nonsense": 1.0,
        "salad": 0.0,
        "weak": 0.0,
    }
    assert {(r.script, r.kind) for r in medium.misjudged} == {("b", "champion"), ("b", ALTERNATIVE), ("a", "nonsense")}
    # Alternatives apart from the champion's answers and paraphrases: 55 passes easy only.
    assert (easy.alternative_pass_rate, medium.alternative_pass_rate) == (1.0, 0.0)
    assert hand_figures.alternative_replies == 1


def test_split_figures_count_moments_replies_and_mean_scores(hand_figures):
    assert (hand_figures.moments, hand_figures.strong_replies) == (2, 3)
    assert (hand_figures.adversarial_replies, hand_figures.weak_replies) == (2, 1)
    assert hand_figures.mean_score_by_kind == {
        "champion": 65,
        "paraphrase": 60,
        ALTERNATIVE: 55,
        "nonsense": 65,
        "salad": 50,
        "weak": 40,
    }


def test_objection_detection_counts_right_false_and_missed_objections_from_spans():
    turns = [
        (0.0, 1.0, "too dear", "objection"),
        (1.0, 2.0, "a comparison would help", None),
        (2.0, 3.0, "my boss", "objection"),
    ]
    found = [(0.1, 0.9, "too dear"), (1.2, 1.5, "a comparison would help")]

    right, labelled_found, false, missed = detection_counts(found, turns, "a")

    assert (right, labelled_found) == (1, 1)
    assert [(m.text, m.label) for m in false] == [("a comparison would help", None)]
    assert [m.text for m in missed] == ["my boss"]
    detection = ObjectionDetection(("a",), 2, 2, right, labelled_found, tuple(false), tuple(missed))
    assert (detection.precision, detection.recall) == (0.5, 0.5)


class FakeEmbedder:
    """Vectors of the right shape without the model: the playbook's shape is all that is tested."""

    def embed(self, texts):
        return np.ones((len(texts), 4), dtype=np.float32)


def test_labelled_playbook_holds_the_scripts_moves_and_every_objection():
    script = load_script("retail_pos")
    patterns = labelled_patterns(script)
    embedder = FakeEmbedder()

    assert [p.category for p in patterns] == [t.label for t in script.turns if t.label]
    answers = [p for p in patterns if p.category == "objection_response"]
    objections = [t.text for t in script.turns if t.label == "objection"]
    assert [p.responds_to for p in answers] == objections
    book = build_playbook("retail_pos", playbook=LABELLED, embedder=embedder)
    assert [o.text for o in book.objection_for_label] == objections
    assert [o.champion_response for o in book.objections] == [p.text for p in answers]
    assert book.vectors.shape[0] == len(book.patterns)
    assert book.scenario("hard").difficulty == "hard"
    extracted = build_playbook("retail_pos", playbook=EXTRACTED, embedder=embedder)
    assert len(extracted.objection_for_label) == len(objections)


def test_judge_set_evaluation_reports_each_split_at_each_difficulty_with_the_prospects_pass_mark():
    splits = {"tuning": ("retail_pos",), "reported": ("charity_donors",)}

    evaluation = evaluate_judge_set(splits=splits)

    assert tuple(evaluation.splits) == ("tuning", "reported")
    for split, figures in evaluation.splits.items():
        (name,) = splits[split]
        moments = judge_set_for((name,))
        replies = sum(len(m.replies) for m in moments)
        assert figures.moments + figures.unmapped_moments == len(moments)
        assert (
            figures.strong_replies + figures.alternative_replies + figures.adversarial_replies + figures.weak_replies
            == replies
        )
        assert figures.ranking_pairs == sum(
            len(m.of_kind(*PASSING_KINDS)) * (len(m.replies) - len(m.of_kind(*PASSING_KINDS))) for m in moments
        )
        assert 0.0 <= figures.ranking <= 1.0
        for difficulty, d in figures.per_difficulty.items():
            scenario = build_playbook(name, playbook=LABELLED, embedder=FakeEmbedder()).scenario(difficulty)
            assert d.pass_marks == (pass_score(scenario),)
            assert 0.0 <= d.strong_pass_rate <= 1.0 and 0.0 <= d.adversarial_pass_rate <= 1.0
    assert len(evaluation.scored) == sum(len(m.replies) for m in judge_set_for(("retail_pos", "charity_donors")))
    summary = judge_set_summary(evaluation)
    assert json.loads(json.dumps(summary)) == summary
    assert set(summary["splits"]["reported"]["per_difficulty"]) == set(DIFFICULTIES)


def test_objection_detection_on_an_evaluation_script_counts_its_labelled_objections():
    detection = evaluate_objection_detection(("property_management",))

    assert detection.labelled == 4
    assert detection.found == detection.found_right + len(detection.false_objections)
    assert detection.labelled == detection.labelled_found + len(detection.missed_objections)
    assert 0.0 <= detection.precision <= 1.0 and 0.0 <= detection.recall <= 1.0
