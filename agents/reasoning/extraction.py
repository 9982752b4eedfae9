"""Offline pattern extraction: linguistic rules plus similarity to category prototypes.

Every utterance (sentence) gets a score per category: rule evidence (question form, objection
topics, position in the call, recap and value wording, closing vocabulary) plus its embedding
similarity to that category's prototype sentences. The highest score wins, against a "none" score
that plain answers and small talk reach. The dialogue structure then does what a sentence alone
cannot: the champion's turn right after a buyer objection is the response to it.

Nothing here is random and the embedder is deterministic, so the same transcript always gives the
same playbook. Measured accuracy on the labelled scripts: ``agents.reasoning.evaluate``.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.segmentation import Utterance, utterances_from_transcript
from agents.types import Pattern, Transcript

# Rule weights. Similarities of unit MiniLM vectors between related sentences fall in 0.3-0.7,
# so a decisive rule (a question mark, an objection topic) weighs about as much as a strong
# similarity, and a weak cue less than the gap between two categories' similarities.
SIMILARITY_WEIGHT = 1.0
NONE_SCORE = 0.55
SOFTMAX_TEMPERATURE = 0.12
# The opening is the first stretch of the call before any discovery question.
OPENING_MAX_SECONDS = 75.0
OPENING_MAX_FRACTION = 0.2
# A champion turn answering an objection is the response; longer turns are cut there.
MAX_RESPONSE_UTTERANCES = 4

# "Maya from FlowDesk", "Sarah at Harbor Mutual": the seller's company, named in the opening.
_COMPANY_INTRO = re.compile(r"\b(?:from|at|with) ((?:[A-Z][\w'-]+)(?: [A-Z][\w'-]+){0,2})")
_OFFERING_SUBJECT = re.compile(
    r"\b(?:our|the) (?:product|platform|software|solution|service|system|app|policy|plan|team|"
    r"tool|offer|package)\b|\bwe (?:can|will|include|provide|offer|handle|take care)\b"
)
_YOU_BENEFIT = re.compile(r"\b(?:you|your)\b")
_NUMBER_WORDS = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|double|percent)\b"
)


@dataclass(frozen=True)
class ClassifiedUtterance:
    utterance: Utterance
    category: str | None
    confidence: float
    # For an objection: price, timing, competitor, authority, need or risk.
    objection_topic: str | None = None


_prototype_cache: weakref.WeakKeyDictionary[Embedder, tuple[np.ndarray, list[str]]] = weakref.WeakKeyDictionary()
_prototype_lock = threading.Lock()


def _prototype_vectors(embedder: Embedder) -> tuple[np.ndarray, list[str]]:
    """Vectors of all prototypes and the category of each row, embedded once per embedder."""
    with _prototype_lock:
        cached = _prototype_cache.get(embedder)
        if cached is None:
            owners = [c for c in cat.PROTOTYPES for _ in cat.PROTOTYPES[c]]
            sentences = [s for c in cat.PROTOTYPES for s in cat.PROTOTYPES[c]]
            cached = (embedder.embed(sentences), owners)
            _prototype_cache[embedder] = cached
    return cached


def category_similarities(embedder: Embedder, texts: list[str]) -> list[dict[str, float]]:
    """Per text, per prototype class: the mean of the two best cosine similarities to its
    prototypes (the best alone lets one lucky prototype decide; the mean of all dilutes real
    matches)."""
    if not texts:
        return []
    prototypes, owners = _prototype_vectors(embedder)
    similarities = embedder.embed(texts) @ prototypes.T
    owner_array = np.array(owners)
    result: list[dict[str, float]] = []
    for row in similarities:
        scores: dict[str, float] = {}
        for category in cat.PROTOTYPES:
            values = np.sort(row[owner_array == category])[::-1][:2]
            scores[category] = float(values.mean())
        result.append(scores)
    return result


def is_question(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered.endswith("?"):
        return True
    # Speech recognisers sometimes drop the question mark; an interrogative start still tells.
    first_words = " ".join(lowered.split()[:3])
    return bool(cat.QUESTION_START.match(first_words))


def objection_topic(text: str) -> str | None:
    lowered = text.lower()
    for topic, pattern in cat.OBJECTION_TOPIC.items():
        if pattern.search(lowered):
            return topic
    return None


def _softmax_confidence(scores: dict[str, float], chosen: str) -> float:
    values = np.array(list(scores.values()), dtype=np.float64) / SOFTMAX_TEMPERATURE
    values = np.exp(values - values.max())
    probabilities = dict(zip(scores, values / values.sum(), strict=True))
    return round(float(probabilities[chosen]), 3)


def _objection_score(text: str, similarity: float, neutral_similarity: float) -> float:
    lowered = text.lower()
    topics = [t for t, p in cat.OBJECTION_TOPIC.items() if p.search(lowered)]
    # Closer to objections than to plain buyer answers: the contrast carries what the cue
    # lists miss (new wordings of a concern), and discounts a buyer who only mentions prices.
    score = SIMILARITY_WEIGHT * similarity + 0.5 * (similarity - neutral_similarity)
    if topics:
        score += 0.45 + 0.1 * (len(topics) - 1)
    if cat.RESISTANCE_MARKER.search(lowered):
        score += 0.12
    if is_question(text) and not topics:
        # A buyer's question without a concern is curiosity ("what about the drivers?").
        score -= 0.2
    return score


def _champion_scores(
    utterance: Utterance,
    similarity: dict[str, float],
    *,
    in_opening: bool,
    position: float,
    is_last_turn: bool,
    company_names: tuple[str, ...],
) -> dict[str, float]:
    text = utterance.text
    lowered = text.lower()
    question = is_question(text)
    agenda_check = bool(cat.AGENDA_CHECK.search(lowered))
    closing_cue = bool(cat.CLOSING_CUE.search(lowered))
    scores = {c: SIMILARITY_WEIGHT * similarity[c] for c in cat.CHAMPION_CATEGORIES}
    del scores[cat.OBJECTION_RESPONSE]  # decided by the dialogue structure, not the sentence

    if in_opening:
        scores[cat.OPENER] += 0.45
    if cat.GREETING.search(lowered) and position < 0.3:
        scores[cat.OPENER] += 0.25
    if question and not agenda_check:
        scores[cat.DISCOVERY_QUESTION] += 0.5
    action_proposal = bool(cat.ACTION_PROPOSAL.search(lowered))
    if closing_cue:
        scores[cat.CLOSING] += (0.35 if action_proposal else 0.15) + (0.25 if position >= 0.6 else 0.0)
    if position < 0.4:
        scores[cat.CLOSING] -= 0.3
    if is_last_turn and cat.FAREWELL.search(lowered):
        scores[cat.CLOSING] += 0.5
    if cat.RECAP_CUE.search(lowered) or cat.REFRAME.search(lowered):
        scores[cat.KEY_PHRASE] += 0.5
    value_cues = len(cat.VALUE_CUE.findall(lowered)) + len(cat.SOCIAL_PROOF.findall(lowered))
    # "You get ..." is the plainest form of a benefit: worth more than a single value word.
    value_cues += 1.5 * len(cat.BENEFICIARY_GETS.findall(lowered))
    scores[cat.VALUE_STATEMENT] += min(0.5, 0.2 * value_cues)
    if not question and not in_opening:
        # What the seller's offering does for the buyer: the offering as subject, the buyer
        # as beneficiary, figures. Each alone is weak evidence; together they are a claim.
        if any(name in text for name in company_names) or _OFFERING_SUBJECT.search(lowered):
            scores[cat.VALUE_STATEMENT] += 0.2
        if _YOU_BENEFIT.search(lowered) and utterance.word_count >= 8:
            scores[cat.VALUE_STATEMENT] += 0.1
        if _NUMBER_WORDS.search(lowered):
            scores[cat.VALUE_STATEMENT] += 0.1
    if question:
        # A question is never a statement of value nor a recap.
        scores[cat.VALUE_STATEMENT] -= 0.3
        scores[cat.KEY_PHRASE] -= 0.2
    return scores


def _none_score(utterance: Utterance) -> float:
    text = utterance.text.strip().lower()
    score = NONE_SCORE
    if utterance.word_count <= 2 or cat.FILLER_ACKNOWLEDGMENT.match(text):
        score += 0.35
    elif utterance.word_count == 3:
        score += 0.15
    return score


def company_names_from_opening(utterances: list[Utterance], opening_limit: float) -> tuple[str, ...]:
    """Names the champion introduces in the opening ("this is Maya from FlowDesk")."""
    names: list[str] = []
    for utterance in utterances:
        if utterance.start > opening_limit:
            break
        if utterance.speaker in ("champion", None):
            names.extend(_COMPANY_INTRO.findall(utterance.text))
    return tuple(dict.fromkeys(names))


def classify_utterances(transcript: Transcript, *, embedder: Embedder | None = None) -> list[ClassifiedUtterance]:
    """Each utterance of ``transcript`` with its category (or None) and a confidence."""
    embedder = embedder or get_embedder()
    utterances = utterances_from_transcript(transcript)
    if not utterances:
        return []
    similarities = category_similarities(embedder, [u.text for u in utterances])
    duration = max(transcript.duration, utterances[-1].end, 1e-6)
    opening_limit = min(OPENING_MAX_SECONDS, OPENING_MAX_FRACTION * duration)
    last_champion_turn = max((u.turn for u in utterances if u.speaker in ("champion", None)), default=-1)

    company_names = company_names_from_opening(utterances, opening_limit)
    results: list[ClassifiedUtterance] = []
    opening_over = False
    for utterance, similarity in zip(utterances, similarities, strict=True):
        position = utterance.start / duration
        scores: dict[str, float] = {}
        if utterance.speaker in ("other", None):
            scores[cat.OBJECTION] = _objection_score(
                utterance.text, similarity[cat.OBJECTION], similarity["buyer_neutral"]
            )
        if utterance.speaker in ("champion", None):
            in_opening = not opening_over and utterance.start <= opening_limit
            scores.update(
                _champion_scores(
                    utterance,
                    similarity,
                    in_opening=in_opening,
                    position=position,
                    is_last_turn=utterance.turn == last_champion_turn,
                    company_names=company_names,
                )
            )
        if utterance.speaker is None and cat.OBJECTION in scores:
            # Without speakers an objection needs more evidence: the champion names prices too.
            scores[cat.OBJECTION] -= 0.15
        scores["none"] = _none_score(utterance)
        best = max(scores, key=lambda c: (scores[c], c))
        category = None if best == "none" else best
        if category == cat.DISCOVERY_QUESTION or (
            utterance.speaker in ("champion", None) and utterance.start > opening_limit
        ):
            opening_over = True
        results.append(
            ClassifiedUtterance(
                utterance=utterance,
                category=category,
                confidence=_softmax_confidence(scores, best),
                objection_topic=objection_topic(utterance.text) if category == cat.OBJECTION else None,
            )
        )
    results = _objections_revealed_by_answers(results, similarities)
    return _mark_responses(_extend_objections(_continue_moves(results)))


# A buyer sentence followed by the champion's acknowledgment of a concern needs only this much
# objection evidence (the answer supplies the rest); plain answers to questions stay below it.
REVEALED_OBJECTION_SCORE = 0.35


def _objections_revealed_by_answers(
    items: list[ClassifiedUtterance], similarities: list[dict[str, float]]
) -> list[ClassifiedUtterance]:
    """Promote the buyer's last sentences before "I understand..." / "That's a fair concern" to
    an objection when they carry some objection evidence of their own."""
    result = list(items)
    for index in range(1, len(result)):
        answer = result[index]
        previous = result[index - 1]
        if (
            answer.utterance.speaker == "champion"
            and previous.utterance.speaker == "other"
            and previous.category is None
            and cat.CONCERN_ACKNOWLEDGMENT.match(answer.utterance.text.strip().lower())
        ):
            # The objection is the buyer's turn: take its sentences from the end while they
            # carry evidence, so a leading plain answer stays out.
            cursor = index - 1
            while cursor >= 0 and result[cursor].utterance.turn == previous.utterance.turn:
                candidate = result[cursor]
                score = _objection_score(
                    candidate.utterance.text,
                    similarities[cursor][cat.OBJECTION],
                    similarities[cursor]["buyer_neutral"],
                )
                if candidate.category is not None or score < REVEALED_OBJECTION_SCORE:
                    break
                result[cursor] = ClassifiedUtterance(
                    utterance=candidate.utterance,
                    category=cat.OBJECTION,
                    confidence=round(min(0.9, score), 3),
                    objection_topic=objection_topic(candidate.utterance.text),
                )
                cursor -= 1
    return result


# Champion moves that often run over two sentences ("So the real problem is not your people.
# It is tickets getting lost between channels.").
_CONTINUED_CATEGORIES = (cat.OPENER, cat.KEY_PHRASE, cat.VALUE_STATEMENT, cat.CLOSING)


def _continue_moves(items: list[ClassifiedUtterance]) -> list[ClassifiedUtterance]:
    """An unclassified sentence that follows a champion move in the same turn continues it,
    unless it is a bare acknowledgment or a question (a question starts a move of its own)."""
    result = list(items)
    for index in range(1, len(result)):
        current, previous = result[index], result[index - 1]
        if (
            current.category is None
            and previous.category in _CONTINUED_CATEGORIES
            and current.utterance.turn == previous.utterance.turn
            and current.utterance.speaker != "other"
            and current.utterance.word_count > 3
            and not is_question(current.utterance.text)
        ):
            result[index] = ClassifiedUtterance(
                utterance=current.utterance,
                category=previous.category,
                confidence=round(previous.confidence * 0.8, 3),
            )
    return result


def _joins_objection(candidate: ClassifiedUtterance, objection: ClassifiedUtterance) -> bool:
    return (
        candidate.category is None
        and objection.category == cat.OBJECTION
        and candidate.utterance.turn == objection.utterance.turn
        and candidate.utterance.speaker == "other"
        and candidate.utterance.word_count > 3
    )


def _extend_objections(items: list[ClassifiedUtterance]) -> list[ClassifiedUtterance]:
    """A buyer's concern often takes two sentences: the context before it ("Our IT provider says
    the firewall is solid. Honestly, I don't think we need this.") or the reason after it ("The
    timing worries me. I do not want crews on the roof in term time."). A neighbouring sentence
    of the same turn joins the objection: any sentence before it, one after it when it resists
    too (a negation, a "but"); a bare acknowledgment never does."""
    result = list(items)

    def joined(candidate: ClassifiedUtterance, objection: ClassifiedUtterance) -> ClassifiedUtterance:
        return ClassifiedUtterance(
            utterance=candidate.utterance,
            category=cat.OBJECTION,
            confidence=round(objection.confidence * 0.8, 3),
            objection_topic=objection.objection_topic,
        )

    for index in range(1, len(result)):
        current, previous = result[index], result[index - 1]
        if _joins_objection(current, previous) and cat.RESISTANCE_MARKER.search(current.utterance.text.lower()):
            result[index] = joined(current, previous)
    for index in range(len(result) - 2, -1, -1):
        current, following = result[index], result[index + 1]
        if _joins_objection(current, following):
            result[index] = joined(current, following)
    return result


def _mark_responses(items: list[ClassifiedUtterance]) -> list[ClassifiedUtterance]:
    """The champion's first turn after a buyer objection is the objection's response."""
    result = list(items)
    index = 0
    while index < len(result):
        item = result[index]
        if item.category != cat.OBJECTION:
            index += 1
            continue
        # Skip the rest of the objection's turn, then take the next turn that is not the buyer's.
        cursor = index + 1
        while cursor < len(result) and result[cursor].utterance.turn == item.utterance.turn:
            cursor += 1
        if cursor < len(result) and result[cursor].utterance.speaker != "other":
            response_turn = result[cursor].utterance.turn
            taken = 0
            while (
                cursor < len(result)
                and result[cursor].utterance.turn == response_turn
                and taken < MAX_RESPONSE_UTTERANCES
                # Without speakers, the turn after an objection is the answer even when it names
                # the concern ("I understand, price matters"): that is what answers do.
                and (result[cursor].category != cat.OBJECTION or result[cursor].utterance.speaker is None)
            ):
                current = result[cursor]
                result[cursor] = ClassifiedUtterance(
                    utterance=current.utterance,
                    category=cat.OBJECTION_RESPONSE,
                    # Structure, not wording, decides here; keep the sentence's own certainty.
                    confidence=max(current.confidence, 0.6),
                )
                cursor += 1
                taken += 1
        index = cursor if cursor > index else index + 1
    return result


def patterns_from_classified(items: list[ClassifiedUtterance]) -> list[Pattern]:
    """Merge neighbouring sentences of one turn and one category into one pattern; link each
    response to the objection it answers. Discovery questions stay one per sentence: each is a
    question a rep can reuse on its own."""
    patterns: list[Pattern] = []
    groups: list[list[ClassifiedUtterance]] = []
    for item in items:
        if item.category is None:
            continue
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and previous.category == item.category
            and previous.utterance.turn == item.utterance.turn
            and previous.utterance.index + 1 == item.utterance.index
            and item.category != cat.DISCOVERY_QUESTION
        ):
            groups[-1].append(item)
        else:
            groups.append([item])

    last_objection: Pattern | None = None
    for group in groups:
        first, last = group[0].utterance, group[-1].utterance
        category = group[0].category
        assert category is not None
        pattern = Pattern(
            category=category,
            text=" ".join(item.utterance.text for item in group),
            start=first.start,
            end=last.end,
            speaker=first.speaker,
            confidence=round(float(np.mean([item.confidence for item in group])), 3),
        )
        if category == cat.OBJECTION:
            last_objection = pattern
        elif category == cat.OBJECTION_RESPONSE and last_objection is not None:
            pattern.responds_to = last_objection.text
        patterns.append(pattern)
    return patterns


def extract_patterns_offline(transcript: Transcript, *, embedder: Embedder | None = None) -> list[Pattern]:
    return patterns_from_classified(classify_utterances(transcript, embedder=embedder))
