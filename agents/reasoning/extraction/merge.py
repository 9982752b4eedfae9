"""Near-duplicate patterns merged into one, keeping every time it was said (issue 13).

A long call repeats itself: a champion says the same line to every new person on the call, and
a recording looped three times said everything three times (a 30-minute loop gave 196 patterns
from 16 distinct moves). A playbook lists a move once, with each occurrence's start and end.

Two patterns are the same move when they have the same category and speaker (a response, also
the same objection it answers) and either the same words once case, punctuation and hesitations
are set aside, or both embeddings at least :data:`MERGE_COSINE` alike and words at least
:data:`MERGE_WORD_RATIO` in common, in order: the same sentence heard again by speech
recognition (a word missed, another misheard) is both, while two different moves of one call,
even about the same thing, and a paraphrase of a move (the same idea in other words, a phrasing
of its own for the playbook) are not. Both thresholds were measured on labelled pairs
(:mod:`agents.reasoning.evaluation_merge`). The first occurrence is the pattern (its text, times
and confidence); the others only add their times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import numpy as np

from agents.providers.embeddings import Embedder
from agents.reasoning import categories as cat
from agents.types import Pattern

# From these, two patterns are one move (both must hold). Chosen on the tuning split's labelled
# pairs (README.md, "Benchmarks and evaluations"): distinct moves of one call reach at most
# cosine 0.70 and word ratio 0.64, the judge set's paraphrases ratio 0.73; the same line with one
# to three words misheard passes both for 95 % of pairs.
MERGE_COSINE = 0.75
MERGE_WORD_RATIO = 0.75

_HESITATIONS = frozenset({"um", "uh", "erm", "er", "ah", "hmm", "mm"})
_NOT_WORD = re.compile(r"[^\w\s']+")


def normalized_text(text: str) -> str:
    """The words of ``text``, lower case, without punctuation or hesitations."""
    words = _NOT_WORD.sub(" ", text.lower()).split()
    return " ".join(word for word in words if word not in _HESITATIONS)


def word_ratio(words: str, other_words: str) -> float:
    """How much two normalised texts have in common, word by word in order (0 to 1)."""
    return SequenceMatcher(None, words.split(), other_words.split(), autojunk=False).ratio()


def _occurrence(pattern: Pattern) -> dict[str, float]:
    return {"start": pattern.start, "end": pattern.end}


@dataclass
class _Kept:
    pattern: Pattern
    words: str
    vector: np.ndarray | None


def merge_near_duplicates(
    patterns: Sequence[Pattern],
    *,
    embedder: Embedder | None = None,
    cosine: float = MERGE_COSINE,
    word_ratio_at_least: float = MERGE_WORD_RATIO,
) -> list[Pattern]:
    """``patterns`` in their order with near-duplicates folded into their first occurrence;
    every pattern kept lists its ``occurrences`` (its own first), in the order they were said.
    Without an embedder only the same words merge."""
    vectors = _unit_vectors(embedder, [p.text for p in patterns])
    kept: list[_Kept] = []
    # An objection folded into an earlier one: its responses now answer the earlier text.
    objection_text_of: dict[str, str] = {}
    for index, pattern in enumerate(patterns):
        responds_to = objection_text_of.get(pattern.responds_to or "", pattern.responds_to)
        pattern = replace(pattern, responds_to=responds_to, occurrences=list(pattern.occurrences))
        if not pattern.occurrences:
            pattern.occurrences.append(_occurrence(pattern))
        candidate = _Kept(pattern, normalized_text(pattern.text), vectors[index] if vectors is not None else None)
        twin = _twin(candidate, kept, cosine, word_ratio_at_least)
        if twin is None:
            kept.append(candidate)
            continue
        twin.occurrences.extend(pattern.occurrences)
        if pattern.category == cat.OBJECTION:
            objection_text_of[pattern.text] = twin.text
    for entry in kept:
        entry.pattern.occurrences.sort(key=lambda occurrence: occurrence["start"])
    return [entry.pattern for entry in kept]


def _same_slot(a: Pattern, b: Pattern) -> bool:
    return (a.category, a.speaker, a.responds_to) == (b.category, b.speaker, b.responds_to)


def _twin(candidate: _Kept, kept: list[_Kept], cosine: float, word_ratio_at_least: float) -> Pattern | None:
    """The kept pattern ``candidate`` repeats, if any (the most alike by embedding)."""
    best, best_similarity = None, cosine
    for entry in kept:
        if not _same_slot(entry.pattern, candidate.pattern):
            continue
        if entry.words == candidate.words:
            return entry.pattern
        if candidate.vector is None or entry.vector is None:
            continue
        similarity = float(candidate.vector @ entry.vector)
        if similarity >= best_similarity and word_ratio(entry.words, candidate.words) >= word_ratio_at_least:
            best, best_similarity = entry.pattern, similarity
    return best


def _unit_vectors(embedder: Embedder | None, texts: list[str]) -> np.ndarray | None:
    if embedder is None or not texts:
        return None
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
