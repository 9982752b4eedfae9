"""The buyer's side of the champion's call, ready to answer a rep's question.

Each *line* is one sentence the buyer said (with the sentence after it in the same turn, so an
answer keeps its explanation), cleaned for speaking (:mod:`.clean`), with the seller's line it
answered: the champion's question just before the buyer's turn. A rep's question is matched
against both (:func:`nearest_lines`): "how do you plan routes today?" is closest to the
champion's "how do your dispatchers plan the routes each morning?", whose answer is the buyer's
"they build the routes by hand in spreadsheets". Embeddings are computed once per call
(:func:`buyer_turns_from_transcript`); the training app caches the result per champion.

Left out: the buyer's own questions (not answers), bare acknowledgments, answers to the
champion's close (agreements to a next step the rep has not proposed), and sentences that
sound like the seller (a speaker-attribution slip must not make the buyer pitch the product).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from agents.providers.embeddings import EMBEDDING_DIMENSION
from agents.reasoning import categories as cat
from agents.reasoning.categories.phrases import phrase_pattern
from agents.reasoning.extraction import is_question
from agents.reasoning.listening.clean import clean_line, normalized, sentences_of
from agents.reasoning.listening.steps import proposes_next_step
from agents.reasoning.listening.vectors import TextEmbedder
from agents.types import Transcript

# Part of the cache key of a champion's lines: bump it when the lines or their vectors change.
BUYER_TURNS_VERSION = 1
# A quoted answer: the matched sentence and the next one, within this many words.
MAX_QUOTE_WORDS = 45
# A 30-minute call has a few hundred buyer sentences; a bound keeps one champion's entry small.
MAX_LINES = 600
# How much the seller's question counts against the buyer's own words when matching a rep's
# question: questions are matched best by questions (tuned on the tuning scripts, see
# :mod:`.evaluation`).
PROMPT_WEIGHT = 0.4
# A later sentence of the buyer's turn is further from the question than the first one, which
# quotes it anyway (a line is a sentence and the next): its match with the question counts less.
LATER_SENTENCE_PROMPT = 0.7

_SELLER_SPEECH = phrase_pattern(
    "we offer",
    "we provide",
    "our platform",
    "our product",
    "our solution",
    "i will send you",
    "i'll send you",
    "let me show you",
    "would you be open to",
    "as a next step",
)


@dataclass(frozen=True)
class BuyerLine:
    text: str  # what the buyer said, cleaned: one or two sentences
    prompt: str  # the seller's line just before, cleaned; "" when the buyer spoke first
    opens_turn: bool = True  # the first answer of the buyer's turn


@dataclass(frozen=True, eq=False)
class BuyerTurns:
    """The buyer's lines of one call and their embeddings (unit rows, one per line)."""

    lines: tuple[BuyerLine, ...] = ()
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32))
    # The seller's line before each buyer line; a zero row where there is none.
    prompt_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32))

    def __len__(self) -> int:
        return len(self.lines)

    def texts(self, limit: int | None = None) -> list[str]:
        return [line.text for line in self.lines[:limit]]


@dataclass(frozen=True)
class Match:
    index: int
    score: float
    text: str


def _speaker_turns(transcript: Transcript) -> list[tuple[str, str]]:
    """(speaker, text) of each turn: consecutive segments of one speaker joined."""
    turns: list[tuple[str, str]] = []
    for segment in transcript.segments:
        if segment.speaker is None or not segment.text.strip():
            continue
        if turns and turns[-1][0] == segment.speaker:
            turns[-1] = (segment.speaker, f"{turns[-1][1]} {segment.text.strip()}")
        else:
            turns.append((segment.speaker, segment.text.strip()))
    return turns


def _prompt_of(seller_turn: str) -> str:
    """The seller's question in a turn (its last one), or its last sentence."""
    sentences = sentences_of(clean_line(seller_turn))
    questions = [s for s in sentences if s.endswith("?")]
    return (questions or sentences or [""])[-1]


def _is_answer(sentence: str) -> bool:
    lowered = sentence.lower()
    return not (
        is_question(sentence)
        or len(sentence.split()) < 2
        or cat.FILLER_ACKNOWLEDGMENT.match(lowered)
        or _SELLER_SPEECH.search(lowered)
    )


def _quotes(turn_text: str) -> list[str]:
    """Each answer sentence of the turn with the one after it, in order."""
    sentences = sentences_of(clean_line(turn_text))
    quotes = []
    for index, sentence in enumerate(sentences):
        if not _is_answer(sentence):
            continue
        quote = sentence
        following = sentences[index + 1] if index + 1 < len(sentences) else None
        if following and _is_answer(following) and len(f"{quote} {following}".split()) <= MAX_QUOTE_WORDS:
            quote = f"{quote} {following}"
        quotes.append(quote)
    return quotes


def buyer_lines_of(transcript: Transcript) -> list[BuyerLine]:
    """The buyer's answer lines of ``transcript`` in call order (no embeddings), deduplicated."""
    lines: list[BuyerLine] = []
    seen: set[str] = set()
    previous: tuple[str, str] | None = None
    for speaker, text in _speaker_turns(transcript):
        if speaker == "other":
            prompt = _prompt_of(previous[1]) if previous and previous[0] == "champion" else ""
            # The buyer's side of the champion's close: an agreement the rep has yet to earn.
            if not (prompt and proposes_next_step(prompt)):
                for position, quote in enumerate(_quotes(text)):
                    key = normalized(quote)
                    if key not in seen:
                        seen.add(key)
                        lines.append(BuyerLine(text=quote, prompt=prompt, opens_turn=position == 0))
        previous = (speaker, text)
    return lines[:MAX_LINES]


def buyer_turns_from_transcript(transcript: Transcript, *, embedder: TextEmbedder) -> BuyerTurns:
    """The buyer's lines of ``transcript`` with their embeddings, in one batch of the model."""
    lines = buyer_lines_of(transcript)
    if not lines:
        return BuyerTurns()
    prompts = list(dict.fromkeys(line.prompt for line in lines if line.prompt))
    vectors = embedder.embed([line.text for line in lines] + prompts)
    line_vectors, prompt_rows = vectors[: len(lines)], dict(zip(prompts, vectors[len(lines) :], strict=True))
    zero = np.zeros(EMBEDDING_DIMENSION, dtype=np.float32)
    prompt_vectors = np.stack(
        [prompt_rows.get(line.prompt, zero) * (1.0 if line.opens_turn else LATER_SENTENCE_PROMPT) for line in lines]
    )
    return BuyerTurns(tuple(lines), np.ascontiguousarray(line_vectors), prompt_vectors.astype(np.float32))


def line_scores(turns: BuyerTurns, vector: np.ndarray) -> np.ndarray:
    """How well each buyer line answers the text of ``vector``: its words and, where there is
    one, the seller's question it answered."""
    own = turns.vectors @ vector
    prompted = turns.prompt_vectors @ vector
    has_prompt = np.array([bool(line.prompt) for line in turns.lines])
    return np.where(has_prompt, PROMPT_WEIGHT * prompted + (1 - PROMPT_WEIGHT) * own, own)


def nearest_lines(
    turns: BuyerTurns, vector: np.ndarray, *, excluding: Sequence[str] = (), limit: int = 3
) -> list[Match]:
    """The buyer lines closest to ``vector``, best first, leaving out those that repeat one of
    ``excluding`` (the scenario's objections: the prospect raises those in its own order)."""
    if not len(turns):
        return []
    scores = line_scores(turns, vector)
    excluded = [normalized(text) for text in excluding if text.strip()]
    order = np.argsort(-scores, kind="stable")
    matches: list[Match] = []
    for index in order:
        text = _without_excluded(turns.lines[int(index)].text, excluded)
        if not text:
            continue
        matches.append(Match(int(index), float(scores[index]), text))
        if len(matches) == limit:
            break
    return matches


def _without_excluded(line: str, excluded: Sequence[str]) -> str:
    """The line up to its first sentence that is part of an excluded text ("" when that is the
    first): "Fair enough. But if patient records leave our system..." keeps "Fair enough."."""
    kept: list[str] = []
    for sentence in sentences_of(line):
        key = normalized(sentence)
        if any(key in text or text in key for text in excluded):
            break
        kept.append(sentence)
    return " ".join(kept)
