"""An utterance's score per category: rule evidence plus its similarity to the category's
prototypes, against a "none" score that plain answers and small talk reach."""

from __future__ import annotations

import re

import numpy as np

from agents.reasoning import categories as cat
from agents.reasoning.extraction.cues import is_question
from agents.reasoning.segmentation import Utterance

# Rule weights. Similarities of unit MiniLM vectors between related sentences fall in 0.3-0.7,
# so a decisive rule (a question mark, an objection topic) weighs about as much as a strong
# similarity, and a weak cue less than the gap between two categories' similarities.
SIMILARITY_WEIGHT = 1.0
NONE_SCORE = 0.55
SOFTMAX_TEMPERATURE = 0.12

_OFFERING_SUBJECT = re.compile(
    r"\b(?:our|the) (?:product|platform|software|solution|service|system|app|policy|plan|team|"
    r"tool|offer|package)\b|\bwe (?:can|will|include|provide|offer|handle|take care)\b"
)
_YOU_BENEFIT = re.compile(r"\b(?:you|your)\b")
_NUMBER_WORDS = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|double|percent)\b"
)


def softmax_confidence(scores: dict[str, float], chosen: str) -> float:
    values = np.array(list(scores.values()), dtype=np.float64) / SOFTMAX_TEMPERATURE
    values = np.exp(values - values.max())
    probabilities = dict(zip(scores, values / values.sum(), strict=True))
    return round(float(probabilities[chosen]), 3)


# Objection evidence. The buyer's sentence must be closer to the objections than to every other
# kind of buyer sentence (a plain answer, a request, an agreement): the margin carries the
# sentence's meaning, and topic words count fully only on the objection side of it, since "Each
# missed booking costs us two hundred dollars" or "Can you send me the pricing?" name a price
# without objecting to one. The buyer's answer to a discovery question is an answer unless it
# resists, and a request is a request unless it states a condition.
OBJECTION_MARGIN_WEIGHT = 1.5
TOPIC_BONUS = 0.45
TOPIC_BONUS_OFF_SIDE = 0.1
RESISTANCE_BONUS = 0.12
CONDITION_BONUS = 0.2
REQUEST_PENALTY = 0.3
AGREEMENT_PENALTY = 0.3
ANSWER_PENALTY = 0.15


def objection_margin(similarity: dict[str, float]) -> float:
    """How much closer the sentence is to the objections than to any other kind of buyer sentence."""
    return similarity[cat.OBJECTION] - max(similarity[c] for c in cat.BUYER_CONTRASTS)


def _resists(lowered: str, *, answers_question: bool) -> bool:
    """A marker of resistance; in an answer to a question, "still" or "also" alone only describe."""
    markers = {match.group(0) for match in cat.RESISTANCE_MARKER.finditer(lowered)}
    if answers_question:
        markers -= {match.group(0) for match in cat.DESCRIPTIVE_RESISTANCE.finditer(lowered)}
    return bool(markers)


def is_agreement(lowered: str) -> bool:
    """The lower-cased buyer sentence opens with agreement or approves ("the cost seems fair")."""
    return bool(cat.AGREEMENT_OPENING.match(lowered) or cat.APPROVAL.search(lowered))


def objection_score(text: str, similarity: dict[str, float], *, answers_question: bool = False) -> float:
    """The objection score of the buyer's sentence ``text``, from its prototype similarities;
    ``answers_question`` when the buyer's turn answers the champion's discovery question."""
    lowered = text.lower()
    topics = [t for t, p in cat.OBJECTION_TOPIC.items() if p.search(lowered)]
    margin = objection_margin(similarity)
    resists = _resists(lowered, answers_question=answers_question)
    condition = margin >= 0 and bool(cat.CONDITION_MARKER.search(lowered))
    request = not condition and bool(cat.REQUEST_FORM.search(lowered))
    agreement = not resists and not condition and is_agreement(lowered)
    objection_side = margin >= 0 and not request and not agreement and (resists or not answers_question)
    score = SIMILARITY_WEIGHT * similarity[cat.OBJECTION] + OBJECTION_MARGIN_WEIGHT * margin
    if topics:
        score += (TOPIC_BONUS if objection_side else TOPIC_BONUS_OFF_SIDE) + 0.1 * (len(topics) - 1)
    if resists:
        score += RESISTANCE_BONUS
    if condition:
        score += CONDITION_BONUS
    if request:
        score -= REQUEST_PENALTY
    if agreement:
        score -= AGREEMENT_PENALTY
    if answers_question and not resists:
        score -= ANSWER_PENALTY
    if is_question(text) and not topics:
        # A buyer's question without a concern is curiosity ("what about the drivers?").
        score -= 0.2
    return score


def champion_scores(
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


def none_score(utterance: Utterance) -> float:
    text = utterance.text.strip().lower()
    score = NONE_SCORE
    if utterance.word_count <= 2 or cat.FILLER_ACKNOWLEDGMENT.match(text):
        score += 0.35
    elif utterance.word_count == 3:
        score += 0.15
    return score
