"""The offline judge's evaluation of one reply: the criteria, their weighted total, the feedback."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning.judge.criteria import (
    WEIGHTS,
    acknowledgment_score,
    clarity_score,
    discovery_score,
    is_dismissive,
    is_pushy,
    value_next_step_score,
)
from agents.reasoning.judge.feedback import criteria_feedback, meaning_feedback, reference_line
from agents.reasoning.judge.meaning import MeaningSignals, meaning_signals
from agents.reasoning.judge.moment import STAGES, JudgeMoment, own_response_index
from agents.reasoning.judge.scoring import MeaningScores, meaning_scores
from agents.types import ChampionReference, Pattern, ReplyEvaluation

# Similarity to the buyer's line from which a reply "names the concern" for the acknowledgment.
_NAMES_CONCERN_SIMILARITY = 0.3
_SURFACE = ("acknowledgment", "value_next_step", "discovery", "clarity")
# A surface move scored at least this before the gate is one the reply made.
MOVE_PRESENT = 60


def judge_reply_offline(
    reply: str,
    *,
    moment: JudgeMoment,
    patterns: Sequence[Pattern],
    pattern_vectors: np.ndarray | None = None,
    embedder: Embedder | None = None,
) -> ReplyEvaluation:
    """Score ``reply`` at ``moment`` against the champion's ``patterns``.

    ``pattern_vectors`` (one row per pattern, as stored by the pipeline) saves embedding the
    patterns again on every reply; without it the relevant ones are embedded here.
    """
    if moment.stage not in STAGES:
        raise ValueError(f"unknown stage {moment.stage!r}; expected one of {STAGES}")
    embedder = embedder or get_embedder()
    text = reply.strip()
    signals, scores = (
        reply_meaning(text, moment=moment, patterns=patterns, pattern_vectors=pattern_vectors, embedder=embedder)
        if text
        else (None, None)
    )
    raw = surface_criteria(text, moment, signals.line if signals else 0.0)
    moves = surface_moves(raw, champion_surface(moment, signals), scores, moment.stage)
    criteria = gated_criteria(moves, scores)
    score = round(sum(WEIGHTS[name] * value for name, value in criteria.items()))

    reference_index = own_response_index(moment, patterns)
    if reference_index is None and signals is not None:
        reference_index = signals.reference_index
    feedback = [reference_line(moment, patterns[reference_index])] if reference_index is not None else []
    feedback += meaning_feedback(moment, scores, words=signals.words if signals else 0)
    # A move the reply made that counted little because the reply was no answer gets its own tip.
    gated = {name for name in _SURFACE if moves[name] >= MOVE_PRESENT > criteria[name]}
    feedback += criteria_feedback(criteria, gated=gated)
    return ReplyEvaluation(
        score=score,
        criteria=criteria,
        weights=dict(WEIGHTS),
        feedback=feedback,
        reference=_reference(patterns, reference_index),
        judge="offline",
    )


def surface_criteria(text: str, moment: JudgeMoment, line_similarity: float) -> dict[str, int]:
    """The surface moves as the words of ``text`` show them; ``line_similarity``: its similarity
    to the buyer's line, which tells whether it names the concern."""
    lowered = text.lower()
    return {
        "acknowledgment": acknowledgment_score(
            lowered, moment, names_concern=line_similarity >= _NAMES_CONCERN_SIMILARITY
        ),
        "value_next_step": value_next_step_score(text, lowered, moment),
        "discovery": discovery_score(text, lowered),
        "clarity": clarity_score(text, lowered),
    }


def relative_to_champion(raw: dict[str, int], champion: dict[str, int] | None) -> dict[str, int]:
    """Each surface move measured against the champion's own answer at this moment: a reply that
    makes the moves the champion made gets full marks, whatever else the champion left out (their
    answer to a price objection may have no question, and the rep's need not have one either)."""
    if champion is None:
        return dict(raw)
    return {name: min(100, round(100 * raw[name] / champion[name])) if champion[name] else 100 for name in raw}


def champion_surface(moment: JudgeMoment, signals: MeaningSignals | None) -> dict[str, int] | None:
    if signals is None or not signals.reference_text:
        return None
    return surface_criteria(signals.reference_text, moment, signals.reference_line)


def reply_meaning(
    text: str,
    *,
    moment: JudgeMoment,
    patterns: Sequence[Pattern],
    pattern_vectors: np.ndarray | None,
    embedder: Embedder,
) -> tuple[MeaningSignals, MeaningScores]:
    """The meaning signals and scores of a non-empty reply ``text``."""
    lowered = text.lower()
    signals = meaning_signals(
        text, moment=moment, patterns=patterns, pattern_vectors=pattern_vectors, embedder=embedder
    )
    return signals, meaning_scores(signals, rude=is_dismissive(lowered) or is_pushy(lowered))


def surface_moves(
    raw: dict[str, int], champion: dict[str, int] | None, scores: MeaningScores | None, stage: str
) -> dict[str, int]:
    """The reply's surface moves (``raw``) measured against the champion's at this moment."""
    moves = dict(raw)
    if stage == "objection" and scores is not None:
        # The benefit the champion gave, said in other words, is a benefit too: the value cues
        # only see figures and stock phrases.
        moves["value_next_step"] = max(moves["value_next_step"], round(100 * scores.closeness))
    return relative_to_champion(moves, champion)


def gated_criteria(moves: dict[str, int], scores: MeaningScores | None) -> dict[str, int]:
    """Technique from meaning; each surface move as much as the reply is a relevant answer (the
    gate): an acknowledgment, a question or a next step never scores on its own."""
    if scores is None:
        return {"technique": 0, **dict.fromkeys(_SURFACE, 0)}
    return {"technique": round(100 * scores.meaning), **{name: round(scores.gate * moves[name]) for name in _SURFACE}}


def _reference(patterns: Sequence[Pattern], index: int | None) -> ChampionReference | None:
    if index is None:
        return None
    pattern = patterns[index]
    return ChampionReference(
        text=pattern.text, start=pattern.start, end=pattern.end, category=pattern.category, pattern_index=index
    )
