"""Fit the judge's calibration and pass marks on labelled replies: ``python -m agents.reasoning.judge.fit``.

Only the TUNING split of the labelled judge set (:mod:`agents.scripts.judge_set`) is read, so the
REPORTED split stays unseen by the numbers it is measured with. The meaning signals and the
surface moves of each reply do not depend on the calibration and are computed once; each
candidate calibration then rescores every reply with arithmetic alone.

The search is a small grid over the parameters that decide between "an answer" and "not an
answer" (where similarity to the champion's answer starts and saturates, how much the buyer's
topic can lift it, where the gate opens), then, with those fixed, a second grid over what makes a
unit of the reply senseless and how much such units cost (:func:`.scoring.sense_of`). A calibration is better when more replies land on their
side of one threshold, then when the gap between the weakest strong reply and the strongest
must-fail reply is wider. The pass marks per difficulty are then spread over that gap: easy just
above the must-fail replies, hard just below the champion's answers and paraphrases.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from agents.reasoning.judge.criteria import WEIGHTS, is_dismissive, is_pushy
from agents.reasoning.judge.meaning import MeaningSignals
from agents.reasoning.judge.moment import JudgeMoment
from agents.reasoning.judge.offline import (
    champion_surface,
    gated_criteria,
    reply_meaning,
    surface_criteria,
    surface_moves,
)
from agents.reasoning.judge.scoring import CALIBRATION, Calibration, meaning_scores

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class ScoredReply:
    """A labelled reply with what the judge sees of it, independent of the calibration."""

    script: str
    kind: str
    text: str
    should_pass: bool
    signals: MeaningSignals
    surface: dict[str, int]  # the surface moves in the reply's words
    champion_surface: dict[str, int] | None  # and in the champion's answer
    rude: bool


def total_score(reply: ScoredReply, calibration: Calibration) -> int:
    """The judge's score of ``reply`` under ``calibration`` (as :func:`judge_reply_offline`)."""
    scores = meaning_scores(reply.signals, rude=reply.rude, calibration=calibration)
    criteria = gated_criteria(surface_moves(reply.surface, reply.champion_surface, scores, "objection"), scores)
    return round(sum(WEIGHTS[name] * value for name, value in criteria.items()))


# A reply further than this from the threshold counts as clearly on its side.
_CLEAR_MARGIN = 15
# The threshold is searched where the Claude judge's rubric puts the line between "partly there"
# (50) and "a solid answer a sales manager would accept" (70), the two judges sharing the pass
# marks: a score means the same whichever judge gave it.
THRESHOLD_RANGE = range(50, 76)


def separation(strong: Sequence[int], weak: Sequence[int]) -> tuple[int, int, int]:
    """(replies on their side of the best single threshold, that threshold, the margin: the sum
    over replies of their distance to it on their own side, capped at 15 points, negative on the
    wrong side). The margin prefers a calibration that puts every reply clearly on its side to one
    that puts most far away and a few just over the line."""
    best: tuple[int, int, int] = (-1, 0, 0)
    for threshold in THRESHOLD_RANGE:
        correct = sum(s >= threshold for s in strong) + sum(w < threshold for w in weak)
        margin = sum(min(s - threshold, _CLEAR_MARGIN) for s in strong) + sum(
            min(threshold - 1 - w, _CLEAR_MARGIN) for w in weak
        )
        if (correct, margin) > (best[0], best[2]):
            best = (correct, threshold, margin)
    return best


def pass_marks(strong: Sequence[int], weak: Sequence[int]) -> dict[str, int]:
    """Pass marks per difficulty inside the gap between the strongest must-fail reply and the
    5th percentile of the strong ones: easy a third of the way up, medium half way, hard two
    thirds, so that each keeps a margin on both sides for replies the tuning set did not hold.
    When the two overlap, every difficulty takes the best single threshold."""
    low = max(max(weak) + 1, THRESHOLD_RANGE.start)
    high = min(int(np.floor(np.percentile(strong, 5))), THRESHOLD_RANGE.stop - 1)
    if high <= low:
        _, threshold, _ = separation(strong, weak)
        return dict.fromkeys(DIFFICULTIES, threshold)
    return {name: round(low + (high - low) * share) for name, share in zip(DIFFICULTIES, (1 / 3, 1 / 2, 2 / 3))}


_GRID: dict[str, tuple[float, ...]] = {
    "recall_weight": (0.0, 0.25, 0.5, 0.75),
    "answer_floor": (0.3, 0.4, 0.5),
    "answer_ceiling": (0.7, 0.8, 0.9),
    "line_weight": (0.0, 0.25, 0.5, 0.75),
    "gate_floor": (0.0, 0.2, 0.4),
    "gate_ceiling": (0.5, 0.6, 0.7),
}


# The second stage: where a unit stops making sense and what a senseless share costs.
_SENSE_GRID: dict[str, tuple[float, ...]] = {
    "sense_floor": (0.15, 0.2, 0.25),
    "sense_ceiling": (0.25, 0.3, 0.35),
    "senseless_weight": (2.0, 3.0, 4.0, 5.0),
}


# Rounds of the two grids at most (two have sufficed on the tuning split).
_ROUNDS = 4


def fit_calibration(replies: Sequence[ScoredReply], base: Calibration = CALIBRATION) -> Calibration:
    """The calibration of the two grids that best separates strong from must-fail replies: each
    grid searched with the other's best values, in turn, until neither moves (each depends on
    the other: what nonsense costs decides which similarity ramp separates best)."""
    calibration = base
    for _ in range(_ROUNDS):
        fitted = _best_of_grid(replies, _best_of_grid(replies, calibration, _GRID), _SENSE_GRID)
        if fitted == calibration:
            break
        calibration = fitted
    return calibration


def _best_of_grid(replies: Sequence[ScoredReply], base: Calibration, grid: dict[str, tuple[float, ...]]) -> Calibration:
    best: tuple[tuple[int, int], Calibration] | None = None
    names = list(grid)
    for values in itertools.product(*(grid[name] for name in names)):
        candidate = replace(base, **dict(zip(names, values, strict=True)))
        if (
            candidate.answer_ceiling <= candidate.answer_floor
            or candidate.gate_ceiling <= candidate.gate_floor
            or candidate.sense_ceiling <= candidate.sense_floor
        ):
            continue
        strong, weak = _split_scores(replies, candidate)
        correct, _, gap = separation(strong, weak)
        if best is None or (correct, gap) > best[0]:
            best = ((correct, gap), candidate)
    assert best is not None
    return best[1]


# The third stage, once the others are fixed: the credit of a sound answer unlike the champion's
# (:func:`.scoring.answer_credit`). It is fitted on the alternatives of the labelled set, against
# every must-fail reply: an adversarial reply let through costs six alternatives missed.
_CREDIT_GRID: dict[str, tuple[float, ...]] = {
    "credit_line_floor": (0.4, 0.5, 0.6),
    "beyond_floor": (0.22, 0.25, 0.28, 0.3),
    "substance_floor": (4, 5, 6, 7),
    "credit_coverage_floor": (0.3, 0.5),
    "credit_share": (0.8, 0.85, 0.9),
}
# Ramps of the credit grid: from each floor to floor + width.
_CREDIT_WIDTHS = {"credit_line_floor": 0.3, "beyond_floor": 0.05, "substance_floor": 3}
_MAX_ADVERSARIAL_PASS = 0.02
_ADVERSARIAL_COST = 6


def fit_answer_credit(replies: Sequence[ScoredReply], base: Calibration = CALIBRATION) -> Calibration:
    """The credit values that pass most alternatives at easy and medium while the champion's
    answers and paraphrases still pass (95 %) and must-fail replies do not (2 % at most), at the
    frozen pass marks."""
    from agents.reasoning.judge.scoring import PASS_MARKS

    best: tuple[tuple[bool, float], Calibration] | None = None
    names = list(_CREDIT_GRID)
    for values in itertools.product(*(_CREDIT_GRID[name] for name in names)):
        chosen = dict(zip(names, values, strict=True))
        chosen["credit_line_ceiling"] = chosen["credit_line_floor"] + _CREDIT_WIDTHS["credit_line_floor"]
        chosen["beyond_ceiling"] = chosen["beyond_floor"] + _CREDIT_WIDTHS["beyond_floor"]
        chosen["substance_ceiling"] = chosen["substance_floor"] + _CREDIT_WIDTHS["substance_floor"]
        candidate = replace(base, **chosen)
        scored = [(reply, total_score(reply, candidate)) for reply in replies]
        rates = [_pass_rates(scored, PASS_MARKS[name]) for name in DIFFICULTIES]
        strong = min(r[0] for r in rates)
        adversarial = max(r[2] for r in rates)
        alternative = (rates[0][1] + rates[1][1]) / 2
        key = (strong >= 0.95 and adversarial <= _MAX_ADVERSARIAL_PASS, alternative - _ADVERSARIAL_COST * adversarial)
        if best is None or key > best[0]:
            best = (key, candidate)
    assert best is not None
    return best[1]


def _pass_rates(scored: Sequence[tuple[ScoredReply, int]], mark: int) -> tuple[float, float, float]:
    """(champion and paraphrase, alternative, must-fail) shares at or above ``mark``."""

    def rate(kinds: Callable[[str], bool]) -> float:
        flags = [score >= mark for reply, score in scored if kinds(reply.kind)]
        return sum(flags) / len(flags) if flags else 0.0

    return (
        rate(lambda kind: kind in ("champion", "paraphrase")),
        rate(lambda kind: kind == "alternative"),
        rate(lambda kind: kind not in ("champion", "paraphrase", "alternative")),
    )


def _split_scores(replies: Iterable[ScoredReply], calibration: Calibration) -> tuple[list[int], list[int]]:
    strong, weak = [], []
    for reply in replies:
        (strong if reply.should_pass else weak).append(total_score(reply, calibration))
    return strong, weak


def scored_replies(script_names: Sequence[str], *, playbook: str = "labelled") -> list[ScoredReply]:
    """The labelled replies of ``script_names`` with their signals, at the moments the evaluation
    (``manage.py evaluate_judge``) builds from the same ``playbook`` of each script."""
    from agents.providers.embeddings import get_embedder
    from agents.reasoning.evaluation_playbooks import build_playbook
    from agents.scripts.judge_set import judge_set_for

    embedder = get_embedder()
    result: list[ScoredReply] = []
    for name in script_names:
        book = build_playbook(name, playbook=playbook, embedder=embedder)
        for labelled in judge_set_for((name,)):
            objection = book.objection_for_label[labelled.objection_index]
            if objection is None:
                continue
            line = labelled.prospect_line if objection.text == labelled.objection else objection.text
            moment = JudgeMoment(stage=labelled.stage, prospect_line=line, objection=objection)
            result.extend(
                _scored(labelled.script, reply, moment, book.patterns, book.vectors, embedder)
                for reply in labelled.replies
            )
    return result


def _scored(script: str, reply, moment: JudgeMoment, patterns, vectors: np.ndarray, embedder) -> ScoredReply:
    signals, _ = reply_meaning(reply.text, moment=moment, patterns=patterns, pattern_vectors=vectors, embedder=embedder)
    lowered = reply.text.lower()
    return ScoredReply(
        script=script,
        kind=reply.kind,
        text=reply.text,
        should_pass=reply.expected == "pass",
        signals=signals,
        surface=surface_criteria(reply.text, moment, signals.line),
        champion_surface=champion_surface(moment, signals),
        rude=is_dismissive(lowered) or is_pushy(lowered),
    )


def main() -> None:  # pragma: no cover - command-line report
    from agents.scripts import EVAL_TUNING_SCRIPT_NAMES

    replies = scored_replies(EVAL_TUNING_SCRIPT_NAMES)
    calibration = fit_calibration(replies)
    strong, weak = _split_scores(replies, calibration)
    correct, threshold, gap = separation(strong, weak)
    print(f"tuning replies: {len(replies)}; on their side of {threshold}: {correct}; gap {gap}")
    print(calibration)
    print("PASS_MARKS =", pass_marks(strong, weak))
    print("answer credit:", fit_answer_credit(replies, calibration))


if __name__ == "__main__":  # pragma: no cover
    main()
