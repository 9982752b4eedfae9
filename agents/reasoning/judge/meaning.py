"""What a reply means at this moment: is it about the buyer's concern, is it close to the
champion's answer, and does it make sense at all.

Every signal comes from sentence embeddings (the one embedder of
:mod:`agents.providers.embeddings`) and from the reply's own word statistics:

- ``line``: similarity of the reply to the buyer's line (the objection on the table, or what the
  buyer just said at the opening and the close);
- ``answer``: similarity to the champion's own answer at this moment (their answer to this
  objection; else their closest move of the stage, discounted);
- ``coverage``: the share of the reply, sentence by sentence, that is about the line or the
  answer, so a relevant sentence cannot carry a paragraph of nonsense;
- ``unit_sense``: per sentence or clause, whether it makes sense here at all (about the moment,
  or a generic move of an answer; :mod:`.sense`), which the scoring turns into the share of the
  reply that is nonsense, another call's answer or padding;
- ``coherence``: whether the words form sentences: the share of function words (a keyword salad
  has almost none), runs of content words, repeated words, and, for a reply made of the
  champion's own words, whether they still come in the champion's phrases (sentence embeddings
  barely see word order, so a scrambled copy is caught on the words), and whether words foreign
  to them are wedged between them (``wedged_share``).

The judge turns them into its technique criterion and into the gate that lets surface moves
(acknowledging, asking, proposing a next step) count only on top of a relevant answer.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.providers.embeddings import Embedder
from agents.reasoning import categories as cat
from agents.reasoning.judge.moment import STAGE_CATEGORIES, JudgeMoment, own_response_index, relevant_patterns
from agents.reasoning.judge.sense import beyond_line_sense, move_likeness, unit_sense, wedged_share, without_words
from agents.reasoning.judge.wording import (
    GLUE_WORDS,
    champion_word_order,
    content_pairs,
    distinct_share,
    echo_share,
    words_of,
)
from agents.types import Pattern

# The champion's other moves of the stage (another objection's answer, a value statement) are a
# good move, but not this moment's.
OTHER_MOVE_DISCOUNT = 0.9

_SENTENCE_END = re.compile(r"(?<=[.?!…])\s+")
_CLAUSE_BREAK = re.compile(r",\s+(?=(?:and|so|but|which|while|because|then)\b)|;\s+|\s+-\s+")
_MIN_CLAUSE_WORDS = 4
# A reply is compared in at most this many units, embedded in one batch (its cost follows the
# reply's tokens more than the number of units); each unit must be short enough that a nonsense
# sentence is not merged into a relevant one.
MAX_REPLY_UNITS = 6
_MOMENT_CACHE_SIZE = 4096
_moment_cache: weakref.WeakKeyDictionary[Embedder, OrderedDict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_moment_lock = threading.Lock()
_prototype_cache: weakref.WeakKeyDictionary[Embedder, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_prototype_lock = threading.Lock()


@dataclass(frozen=True)
class MeaningSignals:
    line: float  # cosine similarity of the reply to the buyer's line
    answer: float  # to the champion's answer at this moment (discounted when not their own)
    echo_share: float  # 0-1: share of the reply's content words that are the buyer's line's
    recall: float  # mean over the champion answer's clauses of their best match in the reply
    coverage: float  # 0-1: word-weighted share of the reply's clauses about the line or the answer
    function_share: float  # 0-1: share of function and number words
    content_pairs: float  # 0-1: share of neighbouring word pairs that are both content words
    distinct_share: float  # 0-1: distinct content words over content words
    champion_overlap: float  # 0-1: share of the reply's content words taken from the champion's answer
    champion_order: float  # 0-2: how much of the champion's phrasing those keep (2: too few to tell)
    wedged_share: float  # 0-1: share of words wedged, not the champion's, between the champion's neighbours
    words: int
    reference_index: int | None  # the champion pattern the reply is compared with
    reference_text: str | None  # the champion's answer compared with (pattern or scenario text)
    reference_line: float  # that answer's own similarity to the buyer's line
    own_answer: bool = True  # the reference is the champion's own answer to this objection
    unit_sense: tuple[float, ...] = ()  # per unit of the reply: best similarity to the moment or a move
    unit_words: tuple[int, ...] = ()  # and its words
    unit_beyond: tuple[float, ...] = ()  # per unit, without the buyer's words: similarity to the moment
    unit_move: tuple[float, ...] = ()  # per unit: similarity to a generic move (acknowledging, booking)
    other_answer: float = 0.0  # best similarity to the champion's answer to another objection
    own_words: int = 0  # distinct content words the buyer's line does not have


@dataclass(frozen=True)
class _Reference:
    """The champion's move a reply is compared with."""

    vector: np.ndarray
    index: int | None  # its pattern, when a pattern holds it
    text: str
    own: bool  # the champion's own answer to this objection (else another move of the stage)


def clauses_of(text: str, *, at_most: int | None = None) -> list[str]:
    """The sentences of ``text``, long ones cut where a new point starts (", and", ", so", ...):
    the units whose meaning is compared one by one. ``at_most``: merge the shortest neighbours
    until there are no more units than that (each unit costs an embedding)."""
    clauses: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        for clause in _CLAUSE_BREAK.split(sentence):
            if clauses and len(words_of(clause)) < _MIN_CLAUSE_WORDS:
                clauses[-1] = f"{clauses[-1]} {clause}"
            elif clause.strip():
                clauses.append(clause.strip())
    while at_most is not None and len(clauses) > max(1, at_most):
        sizes = [len(words_of(a)) + len(words_of(b)) for a, b in zip(clauses, clauses[1:], strict=False)]
        i = sizes.index(min(sizes))
        clauses[i : i + 2] = [f"{clauses[i]} {clauses[i + 1]}"]
    return clauses or [text]


def moment_line(moment: JudgeMoment) -> str:
    """The buyer's line a reply must be about: the objection on the table, else the last line."""
    if moment.objection is not None and moment.objection.text.strip():
        return moment.objection.text
    return moment.prospect_line


def meaning_signals(
    text: str,
    *,
    moment: JudgeMoment,
    patterns: Sequence[Pattern],
    pattern_vectors: np.ndarray | None,
    embedder: Embedder,
) -> MeaningSignals:
    """The signals of ``text`` at ``moment``. The reply, its clauses and each clause without
    the buyer's words are embedded (the reply alone when it is one clause); the buyer's line and
    the champion's answer and its clauses come back on every reply of a session and are embedded
    once (:func:`moment_vectors`); the champion's patterns come from their stored vectors."""
    clauses = clauses_of(text, at_most=MAX_REPLY_UNITS)
    line = moment_line(moment)
    reply_vector, clause_vectors, stripped_vectors = _reply_vectors(text, clauses, line, embedder)
    known = _known_reference_text(moment, patterns)
    line_vector = moment_vectors(embedder, [line])[0]
    reference = _reference(moment, patterns, pattern_vectors, embedder, reply_vector, known)
    reference_clause_vectors = moment_vectors(embedder, clauses_of(reference.text)) if reference else None
    words = words_of(text)
    relevance = _unit_relevance(clause_vectors, line_vector, reference, reference_clause_vectors)
    weights = [max(1, len(words_of(c))) for c in clauses]
    champion_moves = _champion_moves(moment, patterns, pattern_vectors)
    return MeaningSignals(
        line=float(reply_vector @ line_vector),
        answer=_similarity(reply_vector, reference),
        echo_share=echo_share(words, line),
        recall=_recall(reference_clause_vectors, clause_vectors, reference),
        coverage=_coverage(relevance, weights),
        function_share=sum(w in GLUE_WORDS for w in words) / max(1, len(words)),
        content_pairs=content_pairs(words),
        distinct_share=distinct_share(words),
        **champion_word_order(words, reference.text if reference else None),
        words=len(words),
        reference_index=reference.index if reference else None,
        reference_text=reference.text if reference else None,
        reference_line=float(reference.vector @ line_vector) if reference else 0.0,
        own_answer=bool(reference and reference.own),
        wedged_share=wedged_share(words, words_of(reference.text) if reference else []),
        unit_sense=tuple(float(x) for x in unit_sense(relevance, clause_vectors, embedder, champion_moves)),
        unit_words=tuple(weights),
        unit_beyond=tuple(
            float(x)
            for x in beyond_line_sense(
                stripped_vectors, _context_vectors(line_vector, reference, reference_clause_vectors, champion_moves)
            )
        ),
        unit_move=tuple(float(x) for x in move_likeness(clause_vectors, embedder)),
        other_answer=_other_answer(reply_vector, moment, patterns, pattern_vectors, embedder),
        own_words=len({w for w in words if w not in GLUE_WORDS} - set(words_of(line))),
    )


def _reply_vectors(
    text: str, clauses: list[str], line: str, embedder: Embedder
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vectors of the reply, of its clauses, and of each clause without the buyer's words
    (``beyond_line_sense``). Those last are embedded with the clauses, which are of a length
    with them: a batch pads every text to its longest, and a model run costs about 2.5 ms
    before its tokens' 0.15 ms each (issue 13). A text's vector does not depend on its batch,
    and a clause that loses no word is the clause itself to the model (the memo runs it once)."""
    said = frozenset(w for w in words_of(line) if w not in GLUE_WORDS)
    stripped = [without_words(c, said) for c in clauses]
    if len(clauses) == 1:
        vectors = embedder.embed([text, *stripped])
        return vectors[0], vectors[:1], vectors[1:]
    reply_vector = embedder.embed([text])[0]  # the longest: alone
    vectors = embedder.embed([*clauses, *stripped])
    return reply_vector, vectors[: len(clauses)], vectors[len(clauses) :]


def _other_answer(
    reply_vector: np.ndarray,
    moment: JudgeMoment,
    patterns: Sequence[Pattern],
    pattern_vectors: np.ndarray | None,
    embedder: Embedder,
) -> float:
    """The reply's best similarity to the champion's answers to the call's other objections: a
    good answer to another concern is no answer to this one. Without stored vectors those few
    answers are embedded once per process (:func:`moment_vectors`)."""
    own = own_response_index(moment, patterns)
    others = [
        i for i in relevant_patterns(moment, patterns) if i != own and patterns[i].category == cat.OBJECTION_RESPONSE
    ]
    if not others:
        return 0.0
    if pattern_vectors is not None:
        vectors = np.asarray(pattern_vectors, dtype=np.float32)[others]
    else:
        vectors = moment_vectors(embedder, [patterns[i].text for i in others])
    return float((vectors @ reply_vector).max())


def _context_vectors(
    line_vector: np.ndarray,
    reference: _Reference | None,
    reference_clause_vectors: np.ndarray | None,
    champion_moves: np.ndarray | None,
) -> np.ndarray:
    """The moment a unit of the reply may speak of: the buyer's line, the champion's answer and
    its clauses, and the champion's moves of the stage in this call."""
    rows = [line_vector[None, :]]
    if reference is not None:
        rows.append(reference.vector[None, :])
    for extra in (reference_clause_vectors, champion_moves):
        if extra is not None and len(extra):
            rows.append(np.asarray(extra, dtype=np.float32))
    return np.concatenate(rows).astype(np.float32)


def _champion_moves(
    moment: JudgeMoment, patterns: Sequence[Pattern], pattern_vectors: np.ndarray | None
) -> np.ndarray | None:
    """The stored vectors of the champion's moves of the stage in this call (their answers and
    value statements at an objection), which a unit of the reply may make sense against; None
    without stored vectors (embedding every pattern on each reply would cost too much)."""
    if pattern_vectors is None:
        return None
    return np.asarray(pattern_vectors, dtype=np.float32)[relevant_patterns(moment, patterns)]


def moment_vectors(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors of the moment's texts (the buyer's line, the champion's answer and its clauses),
    each embedded alone the first time and kept: a text always gets the same vector, whatever
    was embedded before it, so a cached and a fresh evaluation are the same."""
    with _moment_lock:
        cache = _moment_cache.setdefault(embedder, OrderedDict())
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
    fresh = {t: embedder.embed([t])[0] for t in missing}
    with _moment_lock:
        cache.update(fresh)
        while len(cache) > _MOMENT_CACHE_SIZE:
            cache.popitem(last=False)
        return np.stack([cache[t] if t in cache else fresh[t] for t in texts])


def _known_reference_text(moment: JudgeMoment, patterns: Sequence[Pattern]) -> str | None:
    """The champion's own answer to this objection, when there is one: as a pattern, or as the
    scenario's ``champion_response`` when no pattern holds it."""
    own = own_response_index(moment, patterns)
    if own is not None:
        return patterns[own].text
    objection = moment.objection
    return objection.champion_response if objection is not None and objection.champion_response else None


def _reference(
    moment: JudgeMoment,
    patterns: Sequence[Pattern],
    pattern_vectors: np.ndarray | None,
    embedder: Embedder,
    reply_vector: np.ndarray,
    known: str | None,
) -> _Reference | None:
    """The champion's own answer to this objection when known. Otherwise (the opening, the close)
    there are many good moves, not one: the reply is compared with the champion's moves of the
    stage and with generic moves of the same kind, and the champion's closest move is the one
    quoted and whose surface moves set the bar."""
    own = own_response_index(moment, patterns)
    if known:
        if own is not None and pattern_vectors is not None:
            vector = np.asarray(pattern_vectors[own], dtype=np.float32)
        else:
            vector = moment_vectors(embedder, [known])[0]
        return _Reference(vector=vector, index=own, text=known, own=True)
    candidates = relevant_patterns(moment, patterns)
    if pattern_vectors is not None:
        vectors = np.asarray(pattern_vectors, dtype=np.float32)[candidates]
    else:
        vectors = embedder.embed([patterns[i].text for i in candidates])
    prototypes = stage_prototype_vectors(moment.stage, embedder)
    if not candidates and not len(prototypes):
        return None
    similarities = vectors @ reply_vector if candidates else np.zeros(0, dtype=np.float32)
    champion_best = int(np.argmax(similarities)) if candidates else None
    prototype_best = int(np.argmax(prototypes @ reply_vector)) if len(prototypes) else None
    use_prototype = champion_best is None or (
        prototype_best is not None and float(prototypes[prototype_best] @ reply_vector) > similarities[champion_best]
    )
    vector = prototypes[prototype_best] if use_prototype else vectors[champion_best]
    index = candidates[champion_best] if champion_best is not None else None
    text = patterns[index].text if index is not None else stage_prototypes(moment.stage)[prototype_best]
    return _Reference(vector=vector, index=index, text=text, own=False)


def stage_prototypes(stage: str) -> tuple[str, ...]:
    """Generic moves of the stage's kind (:data:`agents.reasoning.categories.PROTOTYPES`)."""
    return tuple(s for category in STAGE_CATEGORIES.get(stage, ()) for s in cat.PROTOTYPES.get(category, ()))


def stage_prototype_vectors(stage: str, embedder: Embedder) -> np.ndarray:
    """The vectors of :func:`stage_prototypes`, embedded once per embedder and stage."""
    if stage == "objection":
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    with _prototype_lock:
        per_stage = _prototype_cache.setdefault(embedder, {})
        if stage not in per_stage:
            per_stage[stage] = embedder.embed(list(stage_prototypes(stage)))
        return per_stage[stage]


def _similarity(vector: np.ndarray, reference: _Reference | None) -> float:
    if reference is None:
        return 0.0
    similarity = float(vector @ reference.vector)
    return similarity if reference.own else similarity * OTHER_MOVE_DISCOUNT


def _recall(
    reference_clause_vectors: np.ndarray | None, clause_vectors: np.ndarray, reference: _Reference | None
) -> float:
    """How many of the champion's points the reply makes: each clause of their answer is matched
    with the reply's closest clause, and the matches averaged."""
    if reference is None or reference_clause_vectors is None or not len(reference_clause_vectors):
        return 0.0
    best = (reference_clause_vectors @ clause_vectors.T).max(axis=1)
    recall = float(best.mean())
    return recall if reference.own else recall * OTHER_MOVE_DISCOUNT


def _unit_relevance(
    clause_vectors: np.ndarray,
    line_vector: np.ndarray,
    reference: _Reference | None,
    reference_clause_vectors: np.ndarray | None,
) -> np.ndarray:
    """Per clause of the reply, its best similarity to the line, the champion's answer or one of
    its clauses."""
    relevance = clause_vectors @ line_vector
    if reference is not None:
        relevance = np.maximum(relevance, clause_vectors @ reference.vector)
    if reference_clause_vectors is not None and len(reference_clause_vectors):
        relevance = np.maximum(relevance, (clause_vectors @ reference_clause_vectors.T).max(axis=1))
    return relevance


def _coverage(relevance: np.ndarray, weights: list[int]) -> float:
    """Word-weighted mean over the reply's clauses of their relevance, each mapped to 0-1 between
    unrelated (0.15) and clearly on topic (0.45)."""
    on_topic = np.clip((relevance - 0.15) / 0.30, 0.0, 1.0)
    sizes = np.array(weights, dtype=np.float32)
    return float((on_topic * sizes).sum() / sizes.sum())
