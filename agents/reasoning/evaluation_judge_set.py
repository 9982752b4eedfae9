"""The offline judge on its labelled set (``agents/scripts/eval/judge_set.json``).

Each labelled reply is scored once at its moment (the objection on the table, the champion's
playbook of that call); the pass mark of each difficulty comes from the prospect's own
:func:`agents.reasoning.prospect.pass_score` for the call's scenario, so the figures follow
whatever pass marks the product uses. Figures per split (scripts tuned on, scripts reported):

- strong pass rate: share of the champion's answers and paraphrases at or above the pass mark
  (goal: at least 95 % at every difficulty);
- alternative pass rate: the same share for alternatives, sound answers to the same concern by
  another technique than the champion's (goals: at least 90 % at easy, 80 % at medium; at hard
  the buyer may hold out for the champion's own approach, reported without a goal);
- adversarial pass rate: the same share for nonsense, keyword salad, off-topic, filler, pushy
  and dismissive replies and the derived ones (goal: at most 5 %); weak replies are reported apart;
- ranking: share of (must-pass, must-fail) pairs of the same moment where the must-pass reply
  (champion, paraphrase or alternative) scores strictly higher (goal: at least 95 %); it does not
  depend on the difficulty.

:func:`judge_set_figures` computes the figures from scores alone, so that a page or a test can
give it any scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning.evaluation_playbooks import LABELLED, Playbook, build_playbook
from agents.reasoning.judge import JudgeMoment, judge_reply_offline
from agents.reasoning.prospect import pass_score
from agents.scripts import EVAL_REPORTED_SCRIPT_NAMES, EVAL_TUNING_SCRIPT_NAMES
from agents.scripts.judge_set import (
    ADVERSARIAL_KINDS,
    ALTERNATIVE,
    PASSING_KINDS,
    REPLY_KINDS,
    STRONG_KINDS,
    WEAK,
    judge_set_for,
)

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
TUNING = "tuning"
REPORTED = "reported"
SPLITS: dict[str, tuple[str, ...]] = {TUNING: EVAL_TUNING_SCRIPT_NAMES, REPORTED: EVAL_REPORTED_SCRIPT_NAMES}
# The goals of the figures (README.md, "Scoring health"): what a judge reps can trust reaches.
STRONG_PASS_GOAL = 0.95
ADVERSARIAL_PASS_GOAL = 0.05
# Per difficulty; hard has none (None).
ALTERNATIVE_PASS_GOALS: dict[str, float | None] = {"easy": 0.9, "medium": 0.8, "hard": None}
RANKING_GOAL = 0.95


@dataclass(frozen=True)
class ScoredReply:
    script: str
    objection_index: int
    kind: str
    expected: str  # "pass" | "fail"
    text: str
    score: int


@dataclass(frozen=True)
class DifficultyFigures:
    difficulty: str
    pass_marks: tuple[int, ...]  # the distinct pass marks of the split's scenarios
    strong_pass_rate: float
    adversarial_pass_rate: float
    weak_pass_rate: float | None  # None when the split has no weak reply
    pass_rate_by_kind: dict[str, float]
    alternative_pass_rate: float | None = None  # None when the split has no alternative
    # Labelled replies on the wrong side of the pass mark, for inspection.
    misjudged: tuple[ScoredReply, ...] = ()


@dataclass(frozen=True)
class SplitFigures:
    split: str  # "tuning" | "reported"
    scripts: tuple[str, ...]
    moments: int  # objections scored (an objection missing from the playbook is not)
    unmapped_moments: int  # objections the playbook holds no moment for
    strong_replies: int
    adversarial_replies: int
    weak_replies: int
    ranking: float  # must-pass over must-fail replies of the same moment
    ranking_pairs: int
    strong_ranking: float  # the same with the champion's answer and paraphrases only
    strong_ranking_pairs: int
    mean_score_by_kind: dict[str, float]
    per_difficulty: dict[str, DifficultyFigures] = field(default_factory=dict)
    alternative_replies: int = 0


@dataclass(frozen=True)
class JudgeSetEvaluation:
    playbook: str  # "labelled" | "extracted"
    splits: dict[str, SplitFigures]
    scored: tuple[ScoredReply, ...]


def _rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def ranking_pairs(scored: Sequence[ScoredReply]) -> list[tuple[ScoredReply, ScoredReply]]:
    """Every (must-pass, must-fail) pair of replies to the same objection of the same script: the
    champion's answer, a paraphrase or an alternative over every adversarial or weak reply (an
    alternative need not beat the champion's own answer, nor lose to it)."""
    by_moment: dict[tuple[str, int], list[ScoredReply]] = defaultdict(list)
    for reply in scored:
        by_moment[(reply.script, reply.objection_index)].append(reply)
    return [
        (strong, other)
        for replies in by_moment.values()
        for strong in replies
        if strong.kind in PASSING_KINDS
        for other in replies
        if other.kind not in PASSING_KINDS
    ]


def difficulty_figures(
    scored: Sequence[ScoredReply], *, difficulty: str, pass_mark: Callable[[str, str], int]
) -> DifficultyFigures:
    """Pass rates at ``difficulty``; ``pass_mark(script, difficulty)`` is the mark of that call."""

    def passes(reply: ScoredReply) -> bool:
        return reply.score >= pass_mark(reply.script, difficulty)

    weak = [passes(r) for r in scored if r.kind == WEAK]
    alternatives = [passes(r) for r in scored if r.kind == ALTERNATIVE]
    return DifficultyFigures(
        difficulty=difficulty,
        pass_marks=tuple(sorted({pass_mark(script, difficulty) for script in {r.script for r in scored}})),
        strong_pass_rate=_rate([passes(r) for r in scored if r.kind in STRONG_KINDS]),
        adversarial_pass_rate=_rate([passes(r) for r in scored if r.kind in ADVERSARIAL_KINDS]),
        weak_pass_rate=_rate(weak) if weak else None,
        alternative_pass_rate=_rate(alternatives) if alternatives else None,
        pass_rate_by_kind={
            kind: _rate([passes(r) for r in scored if r.kind == kind])
            for kind in REPLY_KINDS
            if any(r.kind == kind for r in scored)
        },
        misjudged=tuple(r for r in scored if passes(r) != (r.expected == "pass")),
    )


def judge_set_figures(
    scored: Sequence[ScoredReply],
    *,
    split: str,
    scripts: tuple[str, ...],
    pass_mark: Callable[[str, str], int],
    unmapped_moments: int = 0,
) -> SplitFigures:
    """The figures of one split from its scored replies (the judge is not called here)."""
    pairs = ranking_pairs(scored)
    # The strong-over-weak figure: the champion's answer and its paraphrases only.
    strong_pairs = [(strong, other) for strong, other in pairs if strong.kind in STRONG_KINDS]
    kinds = [kind for kind in REPLY_KINDS if any(r.kind == kind for r in scored)]
    return SplitFigures(
        split=split,
        scripts=scripts,
        moments=len({(r.script, r.objection_index) for r in scored}),
        unmapped_moments=unmapped_moments,
        strong_replies=sum(r.kind in STRONG_KINDS for r in scored),
        adversarial_replies=sum(r.kind in ADVERSARIAL_KINDS for r in scored),
        weak_replies=sum(r.kind == WEAK for r in scored),
        alternative_replies=sum(r.kind == ALTERNATIVE for r in scored),
        ranking=_rate([strong.score > other.score for strong, other in pairs]),
        ranking_pairs=len(pairs),
        strong_ranking=_rate([strong.score > other.score for strong, other in strong_pairs]),
        strong_ranking_pairs=len(strong_pairs),
        mean_score_by_kind={
            kind: sum(r.score for r in scored if r.kind == kind) / sum(r.kind == kind for r in scored) for kind in kinds
        },
        per_difficulty={
            difficulty: difficulty_figures(scored, difficulty=difficulty, pass_mark=pass_mark)
            for difficulty in DIFFICULTIES
        },
    )


def score_script(playbook: Playbook, *, embedder: Embedder) -> tuple[list[ScoredReply], int]:
    """Every labelled reply of the script's moments scored by the offline judge, and how many of
    its labelled objections have no moment in the playbook."""
    scored: list[ScoredReply] = []
    unmapped = 0
    for moment in judge_set_for((playbook.script.name,)):
        objection = playbook.objection_for_label[moment.objection_index]
        if objection is None:
            unmapped += 1
            continue
        prospect_line = moment.prospect_line if objection.text == moment.objection else objection.text
        judge_moment = JudgeMoment(stage=moment.stage, prospect_line=prospect_line, objection=objection)
        for reply in moment.replies:
            evaluation = judge_reply_offline(
                reply.text,
                moment=judge_moment,
                patterns=playbook.patterns,
                pattern_vectors=playbook.vectors,
                embedder=embedder,
            )
            scored.append(
                ScoredReply(
                    moment.script, moment.objection_index, reply.kind, reply.expected, reply.text, evaluation.score
                )
            )
    return scored, unmapped


def evaluate_judge_set(
    *,
    playbook: str = LABELLED,
    embedder: Embedder | None = None,
    splits: Mapping[str, tuple[str, ...]] = SPLITS,
) -> JudgeSetEvaluation:
    """The offline judge on the labelled set, each split's scripts (by default: the tuning and
    the reported evaluation scripts) apart."""
    embedder = embedder or get_embedder()
    figures: dict[str, SplitFigures] = {}
    every_reply: list[ScoredReply] = []
    for split, names in splits.items():
        playbooks = {name: build_playbook(name, playbook=playbook, embedder=embedder) for name in names}
        scored: list[ScoredReply] = []
        unmapped = 0
        for book in playbooks.values():
            script_scored, script_unmapped = score_script(book, embedder=embedder)
            scored += script_scored
            unmapped += script_unmapped

        def pass_mark(script: str, difficulty: str, books: dict[str, Playbook] = playbooks) -> int:
            return pass_score(books[script].scenario(difficulty))

        figures[split] = judge_set_figures(
            scored, split=split, scripts=names, pass_mark=pass_mark, unmapped_moments=unmapped
        )
        every_reply += scored
    return JudgeSetEvaluation(playbook=playbook, splits=figures, scored=tuple(every_reply))


def judge_set_summary(evaluation: JudgeSetEvaluation) -> dict:
    """The figures as plain JSON-friendly data (no replies), for a page or an API to show:
    ``{"playbook", "splits": {split: {..., "per_difficulty": {difficulty: {...}}}}}``."""
    splits = {}
    for split, figures in evaluation.splits.items():
        data = asdict(figures)
        for difficulty in data["per_difficulty"].values():
            difficulty["misjudged"] = len(difficulty["misjudged"])
            difficulty["pass_marks"] = list(difficulty["pass_marks"])
        data["scripts"] = list(data["scripts"])
        splits[split] = data
    return {"playbook": evaluation.playbook, "splits": splits}
