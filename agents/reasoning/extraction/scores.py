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


def objection_score(text: str, similarity: float, neutral_similarity: float) -> float:
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
