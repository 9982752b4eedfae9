"""Every utterance of a transcript with its category (or none) and a confidence."""

from __future__ import annotations

import dataclasses
import re

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.categories.topics import objection_topic_of
from agents.reasoning.extraction.dialogue import (
    ClassifiedUtterance,
    continue_moves,
    extend_objections,
    mark_responses,
    objections_revealed_by_answers,
)
from agents.reasoning.extraction.scores import champion_scores, none_score, objection_score, softmax_confidence
from agents.reasoning.extraction.similarity import category_similarities
from agents.reasoning.segmentation import Utterance, utterances_from_transcript
from agents.types import Transcript

# The opening is the first stretch of the call before any discovery question.
OPENING_MAX_SECONDS = 75.0
OPENING_MAX_FRACTION = 0.2

# "Maya from FlowDesk", "Sarah at Harbor Mutual": the seller's company, named in the opening.
COMPANY_INTRO = re.compile(r"\b(?:from|at|with) ((?:[A-Z][\w'-]+)(?: [A-Z][\w'-]+){0,2})")


def company_names_from_opening(utterances: list[Utterance], opening_limit: float) -> tuple[str, ...]:
    """Names the champion introduces in the opening ("this is Maya from FlowDesk")."""
    names: list[str] = []
    for utterance in utterances:
        if utterance.start > opening_limit:
            break
        if utterance.speaker in ("champion", None):
            names.extend(COMPANY_INTRO.findall(utterance.text))
    return tuple(dict.fromkeys(names))


def _answers_question(utterance: Utterance, earlier: list[ClassifiedUtterance]) -> bool:
    """Whether the buyer's ``utterance`` lies in the turn right after a champion turn that ended
    on a discovery question."""
    previous_turn = [item for item in earlier if item.utterance.turn == utterance.turn - 1]
    return (
        utterance.speaker == "other"
        and bool(previous_turn)
        and previous_turn[-1].utterance.speaker == "champion"
        and previous_turn[-1].category == cat.DISCOVERY_QUESTION
    )


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
            scores[cat.OBJECTION] = objection_score(
                utterance.text, similarity, answers_question=_answers_question(utterance, results)
            )
        if utterance.speaker in ("champion", None):
            in_opening = not opening_over and utterance.start <= opening_limit
            scores.update(
                champion_scores(
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
        scores["none"] = none_score(utterance)
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
                confidence=softmax_confidence(scores, best),
            )
        )
    results = objections_revealed_by_answers(results, similarities)
    results = extend_objections(continue_moves(results), similarities)
    return mark_responses(with_objection_topics(results, embedder))


def with_objection_topics(items: list[ClassifiedUtterance], embedder: Embedder) -> list[ClassifiedUtterance]:
    """Each objection's topic, by best match over the whole objection: its neighbouring sentences
    of one turn read together, as the playbook's pattern will quote them."""
    result = list(items)
    index = 0
    while index < len(result):
        if result[index].category != cat.OBJECTION:
            index += 1
            continue
        end = index + 1
        while (
            end < len(result)
            and result[end].category == cat.OBJECTION
            and result[end].utterance.turn == result[index].utterance.turn
        ):
            end += 1
        text = " ".join(item.utterance.text for item in result[index:end])
        topic = objection_topic_of(text, embedder=embedder)
        for position in range(index, end):
            result[position] = dataclasses.replace(result[position], objection_topic=topic)
        index = end
    return result
