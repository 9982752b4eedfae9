"""The measurements of the offline judge behind the scoring-health page, run by a worker
(minutes of scoring): its labelled set, the gold set re-scored, stored replies re-scored.

Every figure is plain JSON, stored with its run (``training.JudgeHealthRun``) per judge version.
"""

from __future__ import annotations

import functools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning.evaluation_judge_set import evaluate_judge_set
from agents.reasoning.judge import judge_reply_offline
from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION
from agents.reasoning.prospect import pass_score
from agents.types import ScenarioSpec
from training import selectors
from training.selectors import RescoringCase

# Bounds of one run: the newest gold rows, the newest stored replies per judge and version, and
# how many of those are scored again and again to check that a score does not move.
GOLD_LIMIT = 300
STORED_PER_VERSION = 20
REPEATED_CASES = 5
REPEATS = 3


def current_pass_mark(difficulty: str, moment_objection: Any = None) -> int:
    """The pass mark the prospect uses now at ``difficulty``."""
    spec = ScenarioSpec(
        title="",
        persona="",
        context="",
        goal="",
        difficulty=difficulty,
        objections=[moment_objection] if moment_objection else [],
    )
    return pass_score(spec)


def _score(case: RescoringCase, embedder: Embedder) -> int:
    return judge_reply_offline(
        case.reply,
        moment=case.moment,
        patterns=case.playbook.patterns,
        pattern_vectors=case.playbook.vectors,
        embedder=embedder,
    ).score


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def gold_rescored(cases: Sequence[RescoringCase], embedder: Embedder) -> dict[str, Any]:
    """The current offline judge against staff's corrected scores: mean absolute error and
    pass/fail agreement at the pass mark the product uses now, overall and per difficulty."""
    per_difficulty: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for case in cases:
        mark = current_pass_mark(case.difficulty, case.moment.objection)
        per_difficulty[case.difficulty].append((_score(case, embedder), case.score, mark))

    def figures(rows: list[tuple[int, int, int]]) -> dict[str, Any]:
        return {
            "replies": len(rows),
            "mean_absolute_error": round(statistics.fmean(abs(new - gold) for new, gold, _ in rows), 2)
            if rows
            else None,
            "pass_fail_agreement": _rate(sum((new >= mark) == (gold >= mark) for new, gold, mark in rows), len(rows)),
        }

    every = [row for rows in per_difficulty.values() for row in rows]
    return {
        **figures(every),
        "per_difficulty": {difficulty: figures(rows) for difficulty, rows in sorted(per_difficulty.items())},
    }


def stored_rescored(cases: Sequence[RescoringCase], embedder: Embedder) -> dict[str, Any]:
    """Stored replies scored again by the current offline judge: per judge and version that
    stored them, how far the new score is from the stored one (|new − stored|: mean, standard
    deviation, largest); and the largest spread of one reply scored ``REPEATS`` times."""
    deltas: dict[tuple[str, str], list[int]] = defaultdict(list)
    for case in cases:
        deltas[(case.judge, case.judge_version)].append(abs(_score(case, embedder) - case.score))
    spreads = [max(scores) - min(scores) for scores in _repeated_scores(cases[:REPEATED_CASES], embedder)]
    return {
        "per_stored_version": [
            {
                "judge": judge,
                "judge_version": version,
                "replies": len(values),
                "mean_difference": round(statistics.fmean(values), 2),
                "std_difference": round(statistics.pstdev(values), 2),
                "max_difference": max(values),
            }
            for (judge, version), values in sorted(deltas.items())
        ],
        "repeated": {"replies": len(spreads), "times": REPEATS, "max_spread": max(spreads, default=None)},
    }


def _repeated_scores(cases: Sequence[RescoringCase], embedder: Embedder) -> list[list[int]]:
    return [[_score(case, embedder) for _ in range(REPEATS)] for case in cases]


@functools.cache
def labelled_set_of_this_process() -> dict[str, Any]:
    """:func:`labelled_set` with the default embedder, once per process: the labelled set and
    the offline judge are code, deterministic, so their figures change only with a deploy."""
    return labelled_set(get_embedder())


def labelled_set(embedder: Embedder) -> dict[str, Any]:
    """The offline judge on its labelled set, per split (scripts tuned on, scripts reported)
    and per difficulty: champion answers', strong replies' (the champion's answer and its
    paraphrases), adversarial and weak replies' pass rates, and the strong-over-other ranking."""
    evaluation = evaluate_judge_set(embedder=embedder)
    return {
        "source": "labelled judge set",
        "splits": [
            {
                "split": split,
                "scripts": list(figures.scripts),
                "replies": figures.strong_replies + figures.adversarial_replies + figures.weak_replies,
                "ranking": round(figures.ranking, 4),
                "ranking_pairs": figures.ranking_pairs,
                "strong_ranking": round(figures.strong_ranking, 4),
                "per_difficulty": [
                    {
                        "difficulty": difficulty,
                        "pass_marks": list(rates.pass_marks),
                        "champion_pass_rate": rates.pass_rate_by_kind.get("champion"),
                        "strong_pass_rate": rates.strong_pass_rate,
                        "adversarial_pass_rate": rates.adversarial_pass_rate,
                        "weak_pass_rate": rates.weak_pass_rate,
                    }
                    for difficulty, rates in figures.per_difficulty.items()
                ],
            }
            for split, figures in evaluation.splits.items()
        ],
    }


def measure(*, embedder: Embedder | None = None) -> dict[str, Any]:
    """Every measurement of the current offline judge, as stored with its run."""
    labelled = labelled_set(embedder) if embedder else labelled_set_of_this_process()
    embedder = embedder or get_embedder()
    return {
        "judge": "offline",
        "judge_version": OFFLINE_JUDGE_VERSION,
        "labelled_set": labelled,
        "gold": gold_rescored(selectors.gold_rescoring_cases(limit=GOLD_LIMIT), embedder),
        "stored": stored_rescored(selectors.stored_evaluation_cases(per_version=STORED_PER_VERSION), embedder),
    }
