"""Measure the offline engines on the labelled data shipped in ``agents/scripts/``.

- :func:`evaluate_extractor`: runs the offline pattern extractor on each labelled script, turned
  into a transcript with synthetic word timings (no audio needed), and compares the category it
  gives each turn with the turn's label.
- :func:`evaluate_judge`: how often the offline judge scores the strong reply of a labelled pair
  above the weak one.

Beside this module: the judge on its labelled set of evaluation scripts, per difficulty, tuning
and reported scripts apart (:mod:`.evaluation_judge_set`, on the playbooks of
:mod:`.evaluation_playbooks`), the extractor's objection precision and recall
(:mod:`.evaluation_objections`), and the printed report (:mod:`.evaluation_report`).

Run ``python -m agents.reasoning.evaluation`` (or ``manage.py evaluate_judge``) for a printed report.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.extraction import extract_patterns_offline
from agents.reasoning.judge import JudgeMoment, judge_reply_offline
from agents.reasoning.scenarios import recording_objections
from agents.scripts import SCRIPT_NAMES, CallScript, load_script, transcript_from_script
from agents.types import Pattern, Segment

NONE_LABEL = "none"


@dataclass
class TurnResult:
    script: str
    turn_index: int
    speaker: str
    text: str
    expected: str
    predicted: str


@dataclass
class ExtractorEvaluation:
    overall_accuracy: float
    per_category: dict[str, float]  # label (category or "none") -> accuracy on turns with it
    per_script: dict[str, float]
    labelled_segments: int  # turns with a category label (not "none")
    labelled_accuracy: float  # accuracy on those turns alone
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def errors(self) -> list[TurnResult]:
        return [turn for turn in self.turns if turn.expected != turn.predicted]


def predicted_label_for_span(patterns: list[Pattern], start: float, end: float) -> str:
    """The category of the patterns covering most of [start, end], or "none" when more of it
    is covered by no pattern at all."""
    length = max(end - start, 1e-6)
    coverage: dict[str, float] = defaultdict(float)
    for pattern in patterns:
        overlap = min(end, pattern.end) - max(start, pattern.start)
        if overlap > 0:
            coverage[pattern.category] += overlap
    uncovered = length - sum(coverage.values())
    best = max(coverage.items(), key=lambda item: (item[1], item[0]), default=(NONE_LABEL, 0.0))
    return best[0] if best[1] >= uncovered else NONE_LABEL


@cache
def _default_playbook(name: str) -> tuple[Pattern, ...]:
    # The extractor is deterministic: the extractor's and the judge's evaluations (and their
    # tests) share one extraction per script instead of repeating it.
    return tuple(extract_patterns_offline(transcript_from_script(load_script(name))))


def script_patterns(name: str, embedder: Embedder | None = None) -> list[Pattern]:
    """The offline extractor's patterns for the labelled script ``name`` (a fresh copy)."""
    if embedder is None:
        return copy.deepcopy(list(_default_playbook(name)))
    return extract_patterns_offline(transcript_from_script(load_script(name)), embedder=embedder)


def _evaluate_script(script: CallScript, embedder: Embedder | None) -> list[TurnResult]:
    transcript = transcript_from_script(script)
    patterns = script_patterns(script.name, embedder)
    segments: list[Segment] = transcript.segments
    results: list[TurnResult] = []
    for index, (turn, segment) in enumerate(zip(script.turns, segments, strict=True)):
        results.append(
            TurnResult(
                script=script.name,
                turn_index=index,
                speaker=turn.speaker,
                text=turn.text,
                expected=turn.label or NONE_LABEL,
                predicted=predicted_label_for_span(patterns, segment.start, segment.end),
            )
        )
    return results


def evaluate_extractor(
    script_names: tuple[str, ...] = SCRIPT_NAMES, *, embedder: Embedder | None = None
) -> ExtractorEvaluation:
    """Accuracy of the offline extractor per category, per script and overall (all turns,
    including the unlabelled ones it must leave alone)."""
    turns: list[TurnResult] = []
    for name in script_names:
        turns.extend(_evaluate_script(load_script(name), embedder))

    def accuracy(items: list[TurnResult]) -> float:
        return sum(t.expected == t.predicted for t in items) / len(items) if items else 0.0

    labels = [*cat.CATEGORIES, NONE_LABEL]
    per_category = {
        label: accuracy([t for t in turns if t.expected == label])
        for label in labels
        if any(t.expected == label for t in turns)
    }
    labelled = [t for t in turns if t.expected != NONE_LABEL]
    return ExtractorEvaluation(
        overall_accuracy=accuracy(turns),
        per_category=per_category,
        per_script={name: accuracy([t for t in turns if t.script == name]) for name in script_names},
        labelled_segments=len(labelled),
        labelled_accuracy=accuracy(labelled),
        turns=turns,
    )


@dataclass
class PairResult:
    script: str
    stage: str
    strong: str
    weak: str
    strong_score: int
    weak_score: int

    @property
    def ordered(self) -> bool:
        return self.strong_score > self.weak_score


@dataclass
class JudgeEvaluation:
    pairwise_accuracy: float  # share of pairs where the strong reply scores strictly higher
    pairs: list[PairResult]

    @property
    def mean_margin(self) -> float:
        return sum(p.strong_score - p.weak_score for p in self.pairs) / max(1, len(self.pairs))


def load_judge_pairs() -> list[dict]:
    raw = resources.files("agents.scripts").joinpath("judge_pairs.json").read_text("utf-8")
    return json.loads(raw)["pairs"]


def evaluate_judge(*, embedder: Embedder | None = None) -> JudgeEvaluation:
    """How often the offline judge scores the strong reply of a labelled pair above the weak
    one. The champion's patterns are the offline extractor's output on the pair's script, as in
    the product, with their vectors computed once per script as the pipeline stores them."""
    own_embedder = embedder or get_embedder()
    playbooks: dict[str, tuple[list[Pattern], object]] = {}
    results: list[PairResult] = []
    for pair in load_judge_pairs():
        name = pair["script"]
        if name not in playbooks:
            patterns = script_patterns(name, embedder)
            playbooks[name] = (patterns, own_embedder.embed([p.text for p in patterns]))
        patterns, vectors = playbooks[name]
        objection = None
        prospect_line = pair.get("prospect_line", "")
        if pair["stage"] == "objection":
            objection = recording_objections(patterns)[pair["objection"]]
            prospect_line = objection.text
        moment = JudgeMoment(stage=pair["stage"], prospect_line=prospect_line, objection=objection)
        scores = [
            judge_reply_offline(
                reply, moment=moment, patterns=patterns, pattern_vectors=vectors, embedder=own_embedder
            ).score
            for reply in (pair["strong"], pair["weak"])
        ]
        results.append(PairResult(name, pair["stage"], pair["strong"], pair["weak"], scores[0], scores[1]))
    accuracy = sum(r.ordered for r in results) / len(results) if results else 0.0
    return JudgeEvaluation(pairwise_accuracy=accuracy, pairs=results)


def main() -> None:  # pragma: no cover - command-line report
    # The report module builds on this one: imported here, where it is needed, not at the top.
    from agents.reasoning.evaluation_report import report_lines

    for line in report_lines():
        print(line)


if __name__ == "__main__":  # pragma: no cover
    main()
