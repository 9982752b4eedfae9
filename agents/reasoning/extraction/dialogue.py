"""What the dialogue structure decides that a sentence alone cannot: an objection revealed by
the answer to it, a move continued over two sentences, a concern stated in two, and the
champion's turn after an objection as the response to it."""

from __future__ import annotations

from dataclasses import dataclass

from agents.reasoning import categories as cat
from agents.reasoning.extraction.cues import is_question
from agents.reasoning.extraction.scores import is_agreement, objection_margin, objection_score
from agents.reasoning.segmentation import Utterance

# A champion turn answering an objection is the response; longer turns are cut there.
MAX_RESPONSE_UTTERANCES = 4


@dataclass(frozen=True)
class ClassifiedUtterance:
    utterance: Utterance
    category: str | None
    confidence: float
    # For an objection: price, timing, competitor, authority, need or risk, the best match over
    # the whole objection (all its sentences), set once the objection is complete.
    objection_topic: str | None = None


# A buyer sentence followed by the champion's acknowledgment of a concern needs only this much
# objection evidence (the answer supplies the rest); plain answers to questions stay below it.
REVEALED_OBJECTION_SCORE = 0.35


def objections_revealed_by_answers(
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
            # The objection is in the buyer's turn: its sentences that carry evidence, so a plain
            # answer around it ("That is when we make half our money.") stays out.
            cursor = index - 1
            while cursor >= 0 and result[cursor].utterance.turn == previous.utterance.turn:
                candidate = result[cursor]
                score = objection_score(candidate.utterance.text, similarities[cursor])
                # An agreement before "I understand" is not revealed as a concern by it.
                agrees = is_agreement(candidate.utterance.text.lower())
                if candidate.category is None and score >= REVEALED_OBJECTION_SCORE and not agrees:
                    result[cursor] = ClassifiedUtterance(
                        utterance=candidate.utterance,
                        category=cat.OBJECTION,
                        confidence=round(min(0.9, score), 3),
                    )
                cursor -= 1
    return result


# Champion moves that often run over two sentences ("So the real problem is not your people.
# It is tickets getting lost between channels.").
_CONTINUED_CATEGORIES = (cat.OPENER, cat.KEY_PHRASE, cat.VALUE_STATEMENT, cat.CLOSING)


def continue_moves(items: list[ClassifiedUtterance]) -> list[ClassifiedUtterance]:
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


def _joins_objection(
    candidate: ClassifiedUtterance, objection: ClassifiedUtterance, similarity: dict[str, float]
) -> bool:
    return (
        candidate.category is None
        and objection.category == cat.OBJECTION
        and candidate.utterance.turn == objection.utterance.turn
        and candidate.utterance.speaker == "other"
        and candidate.utterance.word_count > 3
        and not _another_move(candidate.utterance.text, similarity)
    )


# A sentence this much closer to the buyer's plain answers, requests or agreements than to the
# objections is not the objection's context ("Seventy percent is more than I guessed.").
_CONTEXT_MARGIN = -0.05


def _another_move(text: str, similarity: dict[str, float]) -> bool:
    """An agreement, a request or a remark far from any objection, that does not resist, is a
    move of its own: an objection's quote must not hold it."""
    lowered = text.lower()
    if cat.RESISTANCE_MARKER.search(lowered):
        return False
    agreement = similarity[cat.BUYER_AGREEMENT]
    others = (cat.OBJECTION, cat.BUYER_ANSWER, cat.BUYER_REQUEST)
    closest_is_agreement = agreement > max(similarity[c] for c in others) or is_agreement(lowered)
    return (
        closest_is_agreement or bool(cat.REQUEST_FORM.search(lowered)) or objection_margin(similarity) < _CONTEXT_MARGIN
    )


def extend_objections(
    items: list[ClassifiedUtterance], similarities: list[dict[str, float]]
) -> list[ClassifiedUtterance]:
    """A buyer's concern often takes two sentences: the context before it ("Our IT provider says
    the firewall is solid. Honestly, I don't think we need this.") or the reason after it ("The
    timing worries me. I do not want crews on the roof in term time."). A neighbouring sentence
    of the same turn joins the objection: any sentence before it, one after it when it resists
    too (a negation, a "but"); a bare acknowledgment, an agreement or a request never does."""
    result = list(items)

    def joined(candidate: ClassifiedUtterance, objection: ClassifiedUtterance) -> ClassifiedUtterance:
        return ClassifiedUtterance(
            utterance=candidate.utterance,
            category=cat.OBJECTION,
            confidence=round(objection.confidence * 0.8, 3),
        )

    for index in range(1, len(result)):
        current, previous = result[index], result[index - 1]
        if _joins_objection(current, previous, similarities[index]) and cat.RESISTANCE_MARKER.search(
            current.utterance.text.lower()
        ):
            result[index] = joined(current, previous)
    for index in range(len(result) - 2, -1, -1):
        current, following = result[index], result[index + 1]
        if _joins_objection(current, following, similarities[index]):
            result[index] = joined(current, following)
    return result


def mark_responses(items: list[ClassifiedUtterance]) -> list[ClassifiedUtterance]:
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
