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
    similarity_score,
    value_next_step_score,
)
from agents.reasoning.judge.feedback import criteria_feedback, reference_line
from agents.reasoning.judge.moment import STAGES, JudgeMoment, own_response_index, relevant_patterns
from agents.types import ChampionReference, Pattern, ReplyEvaluation


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
    lowered = text.lower()

    technique, reference_index = _technique(text, moment, patterns, pattern_vectors, embedder)
    criteria = {
        "technique": technique,
        "acknowledgment": acknowledgment_score(lowered, moment),
        "value_next_step": value_next_step_score(text, lowered, moment),
        "discovery": discovery_score(text, lowered),
        "clarity": clarity_score(text, lowered),
    }
    score = round(sum(WEIGHTS[name] * value for name, value in criteria.items()))

    reference = _reference(patterns, reference_index)
    feedback = [reference_line(moment, patterns[reference_index])] if reference_index is not None else []
    return ReplyEvaluation(
        score=score,
        criteria=criteria,
        weights=dict(WEIGHTS),
        feedback=feedback + criteria_feedback(criteria),
        reference=reference,
        judge="offline",
    )


def _technique(
    text: str,
    moment: JudgeMoment,
    patterns: Sequence[Pattern],
    pattern_vectors: np.ndarray | None,
    embedder: Embedder,
) -> tuple[int, int | None]:
    """The technique score and the index of the champion pattern to quote: the champion's own
    answer to this objection when there is one, else the pattern closest to the reply."""
    relevant = relevant_patterns(moment, patterns)
    own_response = own_response_index(moment, patterns)
    if not (relevant and text):
        return 0, own_response
    reply_vector = embedder.embed([text])[0]
    if pattern_vectors is not None:
        vectors = np.asarray(pattern_vectors, dtype=np.float32)[relevant]
    else:
        vectors = embedder.embed([patterns[i].text for i in relevant])
    similarities = vectors @ reply_vector
    # The champion's own answer to this objection counts fully; their other answers and
    # value statements count slightly less: a good move, but not this moment's.
    weights = np.array([1.0 if i == own_response else 0.9 for i in relevant], dtype=np.float32)
    weighted = similarities * weights
    best = int(np.argmax(weighted))
    return similarity_score(float(weighted[best])), own_response if own_response is not None else relevant[best]


def _reference(patterns: Sequence[Pattern], index: int | None) -> ChampionReference | None:
    if index is None:
        return None
    pattern = patterns[index]
    return ChampionReference(
        text=pattern.text, start=pattern.start, end=pattern.end, category=pattern.category, pattern_index=index
    )
