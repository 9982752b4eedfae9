"""The printed evaluation report: the lines ``manage.py evaluate_judge`` and
``python -m agents.reasoning.evaluation`` write, built from the evaluation functions' data.

Each figure is printed beside its goal; the tuning and reported scripts are printed apart, and
misjudged replies are listed only for the split asked for (by default none: a reported split
whose errors are read while tuning is no longer a reported split).
"""

from __future__ import annotations

from collections import Counter

from agents.reasoning.evaluation import ExtractorEvaluation, JudgeEvaluation, evaluate_extractor, evaluate_judge
from agents.reasoning.evaluation_judge_set import (
    ADVERSARIAL_PASS_GOAL,
    ALTERNATIVE_PASS_GOALS,
    RANKING_GOAL,
    STRONG_PASS_GOAL,
    DifficultyFigures,
    JudgeSetEvaluation,
    SplitFigures,
    evaluate_judge_set,
)
from agents.reasoning.evaluation_objections import (
    EXTRACTION_SPLITS,
    OBJECTION_GOAL,
    ObjectionDetection,
    evaluate_objection_detection,
)
from agents.reasoning.evaluation_playbooks import LABELLED
from agents.scripts import HELD_OUT_SCRIPT_NAMES


def _mark(value: float, goal: float, *, at_most: bool = False) -> str:
    met = value <= goal if at_most else value >= goal
    return "ok" if met else "MISSED"


def judge_pairs_lines(judge: JudgeEvaluation) -> list[str]:
    """The strong-versus-weak pairs of the six tuning scripts (``judge_pairs.json``)."""
    pairs = judge.pairs
    lines = [
        f"Offline judge: strong reply scored higher in {sum(p.ordered for p in pairs)}/{len(pairs)} pairs "
        f"({judge.pairwise_accuracy:.1%}), mean margin {judge.mean_margin:.1f} points, "
        f"over {len({p.script for p in pairs})} champions' scripts."
    ]
    by_stage = Counter(p.stage for p in pairs)
    for stage, total in sorted(by_stage.items()):
        ordered = sum(p.ordered for p in pairs if p.stage == stage)
        lines.append(f"  {stage:<10} {ordered}/{total}")
    for pair in pairs:
        if not pair.ordered:
            lines.append(f"  MISORDERED ({pair.strong_score} vs {pair.weak_score}): {pair.strong[:70]!r}")
    return lines


def extractor_lines(extractor: ExtractorEvaluation, title: str = "Offline extractor", indent: str = "") -> list[str]:
    lines = [
        f"{indent}{title}: {extractor.labelled_accuracy:.1%} of {extractor.labelled_segments} labelled segments, "
        f"{extractor.overall_accuracy:.1%} of all turns."
    ]
    lines += [f"{indent}  {label:<20} {value:.1%}" for label, value in extractor.per_category.items()]
    return lines


def _alternative_figure(d: DifficultyFigures) -> str:
    if d.alternative_pass_rate is None:
        return ""
    goal = ALTERNATIVE_PASS_GOALS.get(d.difficulty)
    judged = f" (goal >= {goal:.0%}: {_mark(d.alternative_pass_rate, goal)})" if goal is not None else " (no goal)"
    return f", alternative pass {d.alternative_pass_rate:6.1%}{judged}"


def _split_lines(figures: SplitFigures, *, with_errors: bool) -> list[str]:
    lines = [
        f"  {figures.split} scripts ({', '.join(figures.scripts)}): {figures.moments} objections, "
        f"{figures.strong_replies} strong, {figures.alternative_replies} alternative, "
        f"{figures.adversarial_replies} adversarial, {figures.weak_replies} weak replies"
        + (f"; objections missing from the playbook: {figures.unmapped_moments}" if figures.unmapped_moments else "")
    ]
    lines.append(
        f"    ranking, champion and paraphrases over must-fail replies of the objection: "
        f"{figures.strong_ranking:.1%} of {figures.strong_ranking_pairs} pairs "
        f"(goal >= {RANKING_GOAL:.0%}: {_mark(figures.strong_ranking, RANKING_GOAL)})"
    )
    lines.append(
        f"    ranking, every must-pass (alternatives too) over must-fail replies: {figures.ranking:.1%} of "
        f"{figures.ranking_pairs} pairs (goal >= {RANKING_GOAL:.0%}: {_mark(figures.ranking, RANKING_GOAL)})"
    )
    lines.append("    mean score: " + ", ".join(f"{k} {v:.0f}" for k, v in figures.mean_score_by_kind.items()))
    for difficulty, d in figures.per_difficulty.items():
        marks = "/".join(str(mark) for mark in d.pass_marks)
        weak = f", weak {d.weak_pass_rate:.1%}" if d.weak_pass_rate is not None else ""
        alternative = _alternative_figure(d)
        lines.append(
            f"    {difficulty:<6} pass mark {marks:<5} champion+paraphrase pass {d.strong_pass_rate:6.1%} "
            f"(goal >= {STRONG_PASS_GOAL:.0%}: {_mark(d.strong_pass_rate, STRONG_PASS_GOAL)}), "
            f"adversarial pass {d.adversarial_pass_rate:6.1%} "
            f"(goal <= {ADVERSARIAL_PASS_GOAL:.0%}: "
            f"{_mark(d.adversarial_pass_rate, ADVERSARIAL_PASS_GOAL, at_most=True)}){alternative}{weak}"
        )
        lines.append("           by kind: " + ", ".join(f"{k} {v:.0%}" for k, v in d.pass_rate_by_kind.items()))
        if with_errors:
            lines += [
                f"           ✗ {r.script}#{r.objection_index} {r.kind} scored {r.score} (expected {r.expected}): "
                f"{r.text[:80]!r}"
                for r in d.misjudged
            ]
    return lines


def judge_set_lines(evaluation: JudgeSetEvaluation, *, errors_for: tuple[str, ...] = ()) -> list[str]:
    """The labelled set's figures per split and difficulty; misjudged replies of ``errors_for``."""
    lines = [
        f"Offline judge on the labelled set ({evaluation.playbook} playbook; pass marks from "
        "agents.reasoning.prospect.pass_score):"
    ]
    for split, figures in evaluation.splits.items():
        lines += _split_lines(figures, with_errors=split in errors_for)
    return lines


def objection_lines(detection: ObjectionDetection, title: str, *, with_errors: bool) -> list[str]:
    lines = [
        f"  {title}: precision {detection.precision:.1%} ({detection.found_right}/{detection.found} found), "
        f"recall {detection.recall:.1%} ({detection.labelled_found}/{detection.labelled} labelled) "
        f"(goal >= {OBJECTION_GOAL:.0%}: {_mark(min(detection.precision, detection.recall), OBJECTION_GOAL)})"
    ]
    if with_errors:
        lines += [f"    ✗ not an objection: {m.script}: {m.text!r}" for m in detection.false_objections]
        lines += [f"    ✗ missed: {m.script}: {m.text!r}" for m in detection.missed_objections]
    return lines


def report_lines(*, playbooks: tuple[str, ...] = (LABELLED,), errors_for: tuple[str, ...] = ()) -> list[str]:
    """The whole report: the judge's pairs, its labelled set with each of ``playbooks``, the
    extractor on the demo scripts and on each split of the evaluation scripts."""
    lines = judge_pairs_lines(evaluate_judge())
    for playbook in playbooks:
        lines += judge_set_lines(evaluate_judge_set(playbook=playbook), errors_for=errors_for)
    lines += extractor_lines(evaluate_extractor())
    if HELD_OUT_SCRIPT_NAMES:
        lines += extractor_lines(evaluate_extractor(HELD_OUT_SCRIPT_NAMES), title="held-out demo scripts", indent="  ")
    lines.append("Offline extractor on the evaluation scripts (tuning: the judge's and the extraction-only ones):")
    for split, names in EXTRACTION_SPLITS.items():
        lines += extractor_lines(evaluate_extractor(names), title=f"{split} scripts", indent="  ")
        detection = evaluate_objection_detection(names)
        lines += objection_lines(detection, f"{split} objections", with_errors=split in errors_for)
    return lines
