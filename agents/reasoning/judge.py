"""The offline judge: scores a trainee's reply against the champion's own moves, deterministically.

Criteria (0-100 each) and their weights:

- ``technique`` (0.35): embedding similarity of the reply to the champion's patterns for this
  moment: their answer to the objection on the table (and their other answers and value
  statements), their opening, or their closing.
- ``acknowledgment`` (0.20): the reply recognises the buyer's concern and names it, instead of
  brushing it off.
- ``value_next_step`` (0.20): a concrete benefit (figures, the buyer as beneficiary, proof from
  similar customers) and a proposed next step.
- ``discovery`` (0.15): an open question that makes the buyer talk; a closed one counts less.
- ``clarity`` (0.10): a spoken-length answer (about 12 to 70 words), short sentences, no fillers.

The same reply in the same moment always gets the same score: no randomness, and the embedder
is deterministic for a given text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.extraction import is_question, objection_topic
from agents.types import ChampionReference, Objection, Pattern, ReplyEvaluation

WEIGHTS: dict[str, float] = {
    "technique": 0.35,
    "acknowledgment": 0.20,
    "value_next_step": 0.20,
    "discovery": 0.15,
    "clarity": 0.10,
}
STAGES = ("opening", "objection", "closing")
# Reply-to-pattern cosine similarity mapped linearly onto 0-100 between these two values:
# unrelated sentences sit below 0.1 with MiniLM, close paraphrases above 0.6.
_SIMILARITY_FLOOR = 0.1
_SIMILARITY_CEILING = 0.6
# Below this, a criterion gets a tip in the feedback; at or above _STRONG, a word of praise.
_WEAK = 60
_STRONG = 80

_STAGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "opening": (cat.OPENER, cat.DISCOVERY_QUESTION),
    "objection": (cat.OBJECTION_RESPONSE, cat.VALUE_STATEMENT),
    "closing": (cat.CLOSING, cat.VALUE_STATEMENT),
}
_OPEN_QUESTION = re.compile(
    r"\b(?:what|how|why|which|tell me|walk me through|help me understand|can you share|"
    r"could you share|what's|how's)\b"
)
_ACKNOWLEDGE_ANYWHERE = re.compile(
    r"\b(?:i (?:completely |totally |fully )?(?:understand|get (?:that|it)|hear you|appreciate)|"
    r"(?:fair|valid|good|great|reasonable|real) (?:point|concern|question)|makes (?:total |a lot of )?sense|"
    r"understandable|you're right to|you are right to|i can imagine|that's frustrating|"
    r"that is frustrating|thanks for (?:raising|telling|sharing))\b"
)
_DISMISSIVE = re.compile(
    r"\b(?:that's not true|that is not true|you're wrong|you are wrong|trust me|just sign|whatever|"
    r"doesn't matter|does not matter|not a real (?:problem|issue)|no one else|nobody else|"
    r"everyone (?:else )?(?:buys|signs)|you have to|you need to decide|take it or leave it|"
    r"don't worry about (?:it|that)|that's your problem|i don't know)\b"
)
_FILLERS = re.compile(r"\b(?:um+|uh+|er+m?|like,|you know|basically|kind of|sort of|i mean)\b")
_TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "price": ("price", "cost", "budget", "invest", "pay", "money", "expensive", "afford", "premium", "return"),
    "timing": ("timing", "time", "now", "season", "busy", "week", "month", "quarter", "schedule", "when"),
    "competitor": ("current", "already", "existing", "switch", "vendor", "provider", "tool", "system", "compare"),
    "authority": ("director", "boss", "owner", "board", "partner", "team", "decision", "approve", "sign off"),
    "need": ("need", "priority", "firewall", "works", "risk", "protect", "why"),
    "risk": ("worried", "worry", "concern", "risk", "train", "support", "help", "safe", "guarantee"),
}
_ACTION_WORDS = re.compile(
    r"\b(?:next step|schedule|book|calendar|invite|send|set up|pilot|trial|demo|meeting|call|walk "
    r"(?:you|your|them)|show you|prepare|follow up|start with|try)\b"
)


@dataclass(frozen=True)
class JudgeMoment:
    """Where the conversation stands when the trainee replies."""

    stage: str  # "opening" | "objection" | "closing"
    prospect_line: str
    objection: Objection | None = None  # the objection on the table, in the objection stage


def mmss(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{int(seconds % 60):02d}"


def _similarity_score(similarity: float) -> int:
    fraction = (similarity - _SIMILARITY_FLOOR) / (_SIMILARITY_CEILING - _SIMILARITY_FLOOR)
    return round(100 * min(1.0, max(0.0, fraction)))


def _relevant_patterns(moment: JudgeMoment, patterns: Sequence[Pattern]) -> list[int]:
    categories = _STAGE_CATEGORIES[moment.stage]
    return [i for i, p in enumerate(patterns) if p.category in categories]


def _own_response_index(moment: JudgeMoment, patterns: Sequence[Pattern]) -> int | None:
    """The champion's answer to this very objection in the recording, when there is one."""
    if moment.objection is None:
        return None
    for index, pattern in enumerate(patterns):
        if pattern.category != cat.OBJECTION_RESPONSE:
            continue
        if pattern.responds_to == moment.objection.text or (
            moment.objection.champion_response and pattern.text == moment.objection.champion_response
        ):
            return index
    return None


def _acknowledgment_score(lowered: str, moment: JudgeMoment) -> int:
    if _DISMISSIVE.search(lowered):
        return 0
    acknowledges = bool(cat.CONCERN_ACKNOWLEDGMENT.match(lowered) or _ACKNOWLEDGE_ANYWHERE.search(lowered))
    if moment.stage == "objection" and moment.objection is not None:
        topic = objection_topic(moment.objection.text)
        words = _TOPIC_WORDS.get(topic or "", ())
        names_concern = any(re.search(rf"\b{re.escape(word)}", lowered) for word in words)
        return 100 if acknowledges and names_concern else 65 if acknowledges else 35 if names_concern else 10
    # Opening or closing: warmth towards what the buyer just said.
    warm = acknowledges or bool(re.search(r"\b(?:thank|thanks|great|glad|appreciate|happy to|good to)\b", lowered))
    return 90 if warm else 40


def _value_next_step_score(text: str, lowered: str, moment: JudgeMoment) -> int:
    value_cues = (
        len(cat.VALUE_CUE.findall(lowered))
        + len(cat.SOCIAL_PROOF.findall(lowered))
        + len(cat.BENEFICIARY_GETS.findall(lowered))
        + (1 if re.search(r"\b\d+|percent\b", lowered) else 0)
    )
    next_step = bool(cat.ACTION_PROPOSAL.search(lowered) or _ACTION_WORDS.search(lowered))
    value = min(1.0, value_cues / 2)
    if moment.stage == "closing":
        # At the close the next step is the point; value is the support for it.
        return round(100 * (0.7 * next_step + 0.3 * value))
    if moment.stage == "opening":
        # Opening: a reason for the call that matters to the buyer, and the plan for it.
        return round(100 * (0.5 * min(1.0, value + 0.5 * bool(re.search(r"\byour?\b", lowered))) + 0.5 * next_step))
    return round(100 * (0.6 * value + 0.4 * next_step))


def _discovery_score(text: str, lowered: str) -> int:
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]
    questions = [s for s in sentences if is_question(s)]
    if not questions:
        return 20
    if any(_OPEN_QUESTION.search(q.lower()) for q in questions):
        return 100
    return 60


def _clarity_score(text: str, lowered: str) -> int:
    words = text.split()
    count = len(words)
    if count < 5:
        score = 20
    elif count < 12:
        score = 60
    elif count <= 70:
        score = 100
    elif count <= 110:
        score = 60
    else:
        score = 30
    sentences = [s for s in re.split(r"[.?!]+", text) if s.strip()]
    if sentences and count / len(sentences) > 30:
        score -= 20  # one long breathless sentence is hard to follow on a call
    score -= 15 * len(_FILLERS.findall(lowered))
    return max(0, score)


def _reference_line(moment: JudgeMoment, reference: Pattern) -> str:
    when = mmss(reference.start)
    if reference.category == cat.OBJECTION_RESPONSE:
        topic = objection_topic(moment.objection.text) if moment.objection else None
        concern = f"the {topic} objection" if topic and topic != "risk" else "this objection"
        return f'At {when} your champion answered {concern} with: "{reference.text}"'
    verbs = {
        cat.OPENER: "opened with",
        cat.DISCOVERY_QUESTION: "asked",
        cat.VALUE_STATEMENT: "made the case with",
        cat.CLOSING: "closed with",
        cat.KEY_PHRASE: "said",
    }
    return f'At {when} your champion {verbs.get(reference.category, "said")}: "{reference.text}"'


_TIPS = {
    "technique": "Get closer to how your champion handled this moment (see their phrase above).",
    "acknowledgment": "Start by acknowledging the concern and naming it before you answer it.",
    "value_next_step": "Tie your answer to a concrete result for the buyer and propose a next step.",
    "discovery": "Ask an open question (what, how, why) to understand what is behind it.",
    "clarity": "Keep it to two or three short sentences, without filler words.",
}
_PRAISE = {
    "technique": "Your answer follows your champion's technique closely.",
    "acknowledgment": "You acknowledged the concern before answering.",
    "value_next_step": "You gave a concrete benefit and moved towards a next step.",
    "discovery": "Good open question to keep the buyer talking.",
    "clarity": "Clear and concise.",
}


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

    relevant = _relevant_patterns(moment, patterns)
    own_response = _own_response_index(moment, patterns)
    reference_index: int | None = own_response
    technique = 0
    if relevant and text:
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
        technique = _similarity_score(float(weighted[best]))
        if reference_index is None:
            reference_index = relevant[best]

    criteria = {
        "technique": technique,
        "acknowledgment": _acknowledgment_score(lowered, moment),
        "value_next_step": _value_next_step_score(text, lowered, moment),
        "discovery": _discovery_score(text, lowered),
        "clarity": _clarity_score(text, lowered),
    }
    score = round(sum(WEIGHTS[name] * value for name, value in criteria.items()))

    feedback: list[str] = []
    reference: ChampionReference | None = None
    if reference_index is not None:
        pattern = patterns[reference_index]
        reference = ChampionReference(
            text=pattern.text,
            start=pattern.start,
            end=pattern.end,
            category=pattern.category,
            pattern_index=reference_index,
        )
        feedback.append(_reference_line(moment, pattern))
    ranked = sorted(criteria, key=lambda name: (criteria[name], -WEIGHTS[name]))
    feedback.extend(_TIPS[name] for name in ranked if criteria[name] < _WEAK)
    feedback.extend(_PRAISE[name] for name in reversed(ranked) if criteria[name] >= _STRONG)
    return ReplyEvaluation(
        score=score,
        criteria=criteria,
        weights=dict(WEIGHTS),
        feedback=feedback,
        reference=reference,
        judge="offline",
    )
