"""How well the offline extractor finds the buyer's objections, the material of every scenario.

A found objection is an objection pattern of the extractor's playbook; it is right when it lies on
a turn labelled as an objection. Precision: right ones among the found ones (a request or an
agreement taken for an objection lowers it). Recall: labelled objection turns with at least one
found objection on them (an objection phrased as a condition that is missed lowers it). Goal on
the scripts nobody tuned on: at least 90 % each.

The extractor has its own tuning split (:data:`EXTRACTION_SPLITS`): the judge's tuning scripts
plus scripts written only to tune objection detection; its reported split is the judge's.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.reasoning import categories as cat
from agents.reasoning.evaluation import script_patterns
from agents.reasoning.evaluation_judge_set import REPORTED, TUNING
from agents.reasoning.evaluation_playbooks import overlaps
from agents.scripts import (
    EVAL_REPORTED_SCRIPT_NAMES,
    EXTRACTION_TUNING_SCRIPT_NAMES,
    load_script,
    transcript_from_script,
)

OBJECTION_GOAL = 0.9
EXTRACTION_SPLITS: dict[str, tuple[str, ...]] = {
    TUNING: EXTRACTION_TUNING_SCRIPT_NAMES,
    REPORTED: EVAL_REPORTED_SCRIPT_NAMES,
}


@dataclass(frozen=True)
class ObjectionMistake:
    script: str
    text: str  # the found objection (a false one) or the labelled turn (a missed one)
    label: str | None = None  # for a false one: the label of the turn it lies on


@dataclass(frozen=True)
class ObjectionDetection:
    scripts: tuple[str, ...]
    labelled: int  # turns labelled as objections
    found: int  # objection patterns the extractor produced
    found_right: int  # of those, lying on a labelled objection
    labelled_found: int  # labelled objection turns with a found objection on them
    false_objections: tuple[ObjectionMistake, ...]
    missed_objections: tuple[ObjectionMistake, ...]

    @property
    def precision(self) -> float:
        return self.found_right / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.labelled_found / self.labelled if self.labelled else 0.0


def detection_counts(
    found: list[tuple[float, float, str]], turns: list[tuple[float, float, str, str | None]], script: str
) -> tuple[int, int, list[ObjectionMistake], list[ObjectionMistake]]:
    """Right found objections, found labelled ones, false and missed ones, from spans alone:
    ``found`` holds (start, end, text) per found objection, ``turns`` (start, end, text, label)."""
    right = 0
    false: list[ObjectionMistake] = []
    for start, end, text in found:
        lying_on = [turn for turn in turns if overlaps(start, end, (turn[0], turn[1]))]
        if any(turn[3] == cat.OBJECTION for turn in lying_on):
            right += 1
        else:
            false.append(ObjectionMistake(script, text, lying_on[0][3] if lying_on else None))
    labelled_found = 0
    missed: list[ObjectionMistake] = []
    for start, end, text, label in turns:
        if label != cat.OBJECTION:
            continue
        if any(overlaps(f_start, f_end, (start, end)) for f_start, f_end, _ in found):
            labelled_found += 1
        else:
            missed.append(ObjectionMistake(script, text))
    return right, labelled_found, false, missed


def evaluate_objection_detection(script_names: tuple[str, ...]) -> ObjectionDetection:
    """Objection precision and recall of the offline extractor over ``script_names``."""
    labelled = found = right = labelled_found = 0
    false: list[ObjectionMistake] = []
    missed: list[ObjectionMistake] = []
    for name in script_names:
        script = load_script(name)
        segments = transcript_from_script(script).segments
        turns = [(s.start, s.end, t.text, t.label) for t, s in zip(script.turns, segments, strict=True)]
        spans = [(p.start, p.end, p.text) for p in script_patterns(name) if p.category == cat.OBJECTION]
        script_right, script_found, script_false, script_missed = detection_counts(spans, turns, name)
        labelled += sum(turn[3] == cat.OBJECTION for turn in turns)
        found += len(spans)
        right += script_right
        labelled_found += script_found
        false += script_false
        missed += script_missed
    return ObjectionDetection(
        scripts=script_names,
        labelled=labelled,
        found=found,
        found_right=right,
        labelled_found=labelled_found,
        false_objections=tuple(false),
        missed_objections=tuple(missed),
    )
