"""What the scoring-health page shows, read in a fixed number of queries however many
disputes, gold rows or messages there are: the disputes per status, the stored judgements
against the gold set (per judge and version, computed by the database), and the latest
measurement of each offline judge version (``measure``, run by a worker)."""

from __future__ import annotations

from typing import Any

from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION, judge_version
from agents.settings import anthropic_client_options
from training import selectors
from training.models import JudgeHealthRun
from training.services.health_runs import ACTIVE

JUDGE_LABELS = {"offline": "Offline", "anthropic": "Claude"}


def _gold_stored() -> list[dict[str, Any]]:
    rows = []
    for row in selectors.gold_agreement():
        replies = row["replies"]
        rows.append(
            {
                "judge": JUDGE_LABELS.get(row["judge"], row["judge"] or "unknown"),
                "judge_version": row["judge_version"] or "unversioned",
                "replies": replies,
                "mean_absolute_error": round(row["mean_absolute_error"], 1),
                "pass_fail_agreement": round(100 * row["pass_fail_agreeing"] / replies, 1),
            }
        )
    return rows


RATES = ("champion_pass_rate", "strong_pass_rate", "adversarial_pass_rate", "weak_pass_rate", "pass_fail_agreement")


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.1f} %"


def _with_percents(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: percent(value) if key in RATES or key in ("ranking", "strong_ranking") else value
        for key, value in row.items()
    }


def measurement_rows(run: JudgeHealthRun) -> dict[str, Any]:
    """A finished run's figures as the page shows them (rates as percentages)."""
    figures = run.figures
    labelled = figures.get("labelled_set", {})
    gold = figures.get("gold", {})
    return {
        "run": run,
        "labelled_source": labelled.get("source", ""),
        "splits": [
            {**_with_percents(split), "per_difficulty": [_with_percents(row) for row in split["per_difficulty"]]}
            for split in labelled.get("splits", [])
        ],
        "gold": _with_percents(gold),
        "gold_per_difficulty": [
            {"difficulty": difficulty, **_with_percents(row)}
            for difficulty, row in gold.get("per_difficulty", {}).items()
        ],
        "stored": figures.get("stored", {}).get("per_stored_version", []),
        "repeated": figures.get("stored", {}).get("repeated", {}),
    }


def _measurements(runs: list[JudgeHealthRun]) -> dict[str, Any]:
    """The newest finished run of each version (newest version first), and the current
    version's run in progress or its failure since the last success."""
    latest: dict[str, JudgeHealthRun] = {}
    current = [run for run in runs if run.judge_version == OFFLINE_JUDGE_VERSION]
    for run in runs:
        if run.status == JudgeHealthRun.Status.FINISHED:
            latest.setdefault(run.judge_version, run)
    finished = latest.get(OFFLINE_JUDGE_VERSION)
    newer = [run for run in current if finished is None or run.created_at > finished.created_at]
    return {
        "finished": [measurement_rows(run) for run in latest.values()],
        "in_progress": next((run for run in newer if run.status in ACTIVE), None),
        "failed": next((run for run in newer if run.status == JudgeHealthRun.Status.FAILED), None),
    }


def page_figures() -> dict[str, Any]:
    claude = anthropic_client_options()
    return {
        "offline_version": OFFLINE_JUDGE_VERSION,
        "claude_version": judge_version("anthropic", claude["model"]) if claude else None,
        "disputes": selectors.dispute_counts(),
        "gold_stored": _gold_stored(),
        **_measurements(selectors.judge_health_runs()),
    }
