"""The labelled scripts hold enough of every category to measure the extractor on."""

from __future__ import annotations

from agents.reasoning import CATEGORIES
from agents.scripts import load_scripts


def test_scripts_hold_enough_labelled_segments_of_every_category():
    scripts = load_scripts()
    labels = [turn.label for script in scripts for turn in script.turns if turn.label]

    assert len(scripts) >= 3
    assert len(labels) >= 40
    assert set(labels) == set(CATEGORIES)
    for script in scripts:
        assert sum(turn.label == "objection" for turn in script.turns) >= 3
        assert sum(turn.label == "objection_response" for turn in script.turns) >= 3
