"""Does every part of the reply make sense as part of an answer here? A good answer does not
carry a paragraph of nonsense, another call's answer, or nonsense words wedged between its own.

- :func:`senseless_share`: each unit of the reply (sentence or clause) is compared in meaning with
  the moment (the buyer's line, the champion's answer and its clauses) and with generic moves any
  answer may make (:data:`CONVERSATION_MOVES`: acknowledging, asking, proposing a next step); a
  unit close to none of them makes no sense here, and the word-weighted share of such units is
  what the scoring takes off the reply's meaning (:mod:`.scoring`), more than in proportion:
  nonsense appended to the champion's own answer makes the whole reply fail.
- :func:`wedged_share`: the share of the reply's words that sit between two words the champion
  said one after the other, and are not the champion's: the champion's answer with nonsense words
  interleaved. Sentence embeddings barely see word order or a few odd words, so this is measured
  on the words, as the scrambled copy is (:func:`.meaning._champion_word_order`).
"""

from __future__ import annotations

import re
import threading
import weakref

import numpy as np

from agents.providers.embeddings import Embedder

# Generic moves that make sense in an answer to any objection, whatever the topic: written for
# the judge, none taken from the labelled scripts or the judge set.
CONVERSATION_MOVES: tuple[str, ...] = (
    "That is a fair question.",
    "I understand your concern.",
    "That makes sense.",
    "I hear you.",
    "You are right to ask about that.",
    "Good point.",
    "Thank you for telling me.",
    "I am sorry that happened to you.",
    "Can I ask you a question about that?",
    "What would you need to see to feel sure?",
    "How do you handle this today?",
    "Would it help if we set up a short call?",
    "Let's book a meeting next week.",
    "I can send you the details.",
)
# A foreign word run this long or shorter between two of the champion's neighbouring words is
# wedged in; a longer one is the rep's own phrase.
_MAX_WEDGE = 2
_TOKEN = re.compile(r"[A-Za-z0-9']+|[^\sA-Za-z0-9']")

_moves_cache: weakref.WeakKeyDictionary[Embedder, np.ndarray] = weakref.WeakKeyDictionary()
_moves_lock = threading.Lock()


def move_vectors(embedder: Embedder) -> np.ndarray:
    """The vectors of :data:`CONVERSATION_MOVES`, embedded once per embedder, each alone."""
    with _moves_lock:
        if embedder not in _moves_cache:
            _moves_cache[embedder] = np.stack([embedder.embed([move])[0] for move in CONVERSATION_MOVES])
        return _moves_cache[embedder]


def unit_sense(
    moment_relevance: np.ndarray,
    unit_vectors: np.ndarray,
    embedder: Embedder,
    pattern_vectors: np.ndarray | None = None,
) -> np.ndarray:
    """Per unit, its best similarity to the moment (``moment_relevance``, already computed for the
    topic coverage), to a generic move of an answer, or to anything the champion said in the call
    (``pattern_vectors``, stored with the champion: a fact of this call, such as what downtime
    costs the buyer, makes sense in an answer even when this moment's answer did not give it)."""
    sense = np.maximum(moment_relevance, (unit_vectors @ move_vectors(embedder).T).max(axis=1))
    if pattern_vectors is not None and len(pattern_vectors):
        sense = np.maximum(sense, (unit_vectors @ np.asarray(pattern_vectors, dtype=np.float32).T).max(axis=1))
    return sense


def senseless_share(sense: np.ndarray, weights: np.ndarray, *, floor: float, ceiling: float) -> float:
    """Word-weighted share of units that make no sense here: fully below ``floor``, not at all
    from ``ceiling`` on."""
    if ceiling <= floor:
        senseless = (sense < ceiling).astype(np.float32)
    else:
        senseless = 1.0 - np.clip((sense - floor) / (ceiling - floor), 0.0, 1.0)
    return float((senseless * weights).sum() / max(1.0, float(weights.sum())))


def wedged_share(words: list[str], champion_words: list[str]) -> float:
    """Share of ``words`` that are not the champion's and sit, alone or in pairs, between two
    words that follow each other in the champion's answer (``champion_words``)."""
    if len(words) < 3 or not champion_words:
        return 0.0
    champion = set(champion_words)
    neighbours = set(zip(champion_words, champion_words[1:], strict=False))
    wedged = 0
    index = 1
    while index < len(words) - 1:
        if words[index] in champion:
            index += 1
            continue
        end = index
        while end < len(words) and words[end] not in champion:
            end += 1
        if end < len(words) and end - index <= _MAX_WEDGE and (words[index - 1], words[end]) in neighbours:
            wedged += end - index
        index = end
    return wedged / len(words)


def without_words(text: str, said: frozenset[str]) -> str:
    """``text`` with the words of ``said`` taken out (punctuation kept): what is left of a unit
    once the buyer's own words are removed, which a sound answer still fills with sense."""
    tokens = _TOKEN.findall(text)
    kept = [t for t in tokens if t.lower() not in said]
    return " ".join(kept) if any(t[0].isalnum() for t in kept) else "."


def beyond_line_sense(stripped_vectors: np.ndarray, context_vectors: np.ndarray) -> np.ndarray:
    """Per unit of the reply, the buyer's words taken out of it (``stripped_vectors``: the
    vectors of :func:`without_words` of each unit), its best similarity to the moment
    (``context_vectors``: the buyer's line, the champion's answer, their moves of the stage).
    Sentence embeddings read a sentence of nonsense hung on the objection's words ("purple
    giraffes remind the emails") as about the objection; without those words it is about
    nothing, while a sound answer of the rep's own (a question on what the problem costs, a
    pilot offered) still speaks of the buyer's world."""
    if not len(context_vectors):
        return np.zeros(len(stripped_vectors), dtype=np.float32)
    return (np.asarray(stripped_vectors, dtype=np.float32) @ np.asarray(context_vectors, dtype=np.float32).T).max(
        axis=1
    )


def move_likeness(unit_vectors: np.ndarray, embedder: Embedder) -> np.ndarray:
    """Per unit, its best similarity to a generic move (:data:`CONVERSATION_MOVES`): a unit that
    only acknowledges or books a call carries no answer of its own."""
    return (unit_vectors @ move_vectors(embedder).T).max(axis=1)
