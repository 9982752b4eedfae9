"""The calibration's arithmetic: the best threshold between strong and must-fail scores, and pass
marks spread inside the gap between them (hand-made scores; the fit on the labelled set itself
runs as ``python -m agents.reasoning.judge.fit``)."""

from __future__ import annotations

from agents.reasoning.judge.fit import THRESHOLD_RANGE, pass_marks, separation


def test_separation_finds_the_threshold_that_puts_most_replies_on_their_side():
    strong = [90, 85, 80, 72]
    weak = [10, 20, 40, 65]

    correct, threshold, margin = separation(strong, weak)

    assert correct == 8
    assert 65 < threshold <= 72
    assert margin > 0


def test_pass_marks_rise_with_difficulty_inside_the_gap():
    strong = [95, 92, 90, 88, 86, 85, 84, 83, 82, 81, 80, 80, 79, 78, 78, 77, 77, 76, 76, 75]
    weak = [0, 5, 10, 20, 30, 40]

    marks = pass_marks(strong, weak)

    assert max(weak) < marks["easy"] < marks["medium"] < marks["hard"] <= min(strong)
    assert all(mark in THRESHOLD_RANGE for mark in marks.values())


def test_overlapping_scores_give_every_difficulty_the_best_single_threshold():
    strong = [60, 62, 64, 66, 90]
    weak = [10, 61, 63, 70]

    marks = pass_marks(strong, weak)

    assert len(set(marks.values())) == 1
    assert marks["easy"] == separation(strong, weak)[1]
