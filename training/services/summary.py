"""The numbers and the coaching copy of an ended session: the overall score, the averages per
criterion, strengths and improvements in words, the gap to the champion's own call."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from django.core.cache import cache

from champions.models import Champion
from training.models import SessionMessage, TrainingSession
from training.services.buyer_turns import champion_call_version

QUESTION = re.compile(r"\?")
WORD = re.compile(r"[\w']+")

# The coaching copy: what the rep did well, and what to work on, per criterion.
CRITERION_STRENGTH = {
    "technique": "You handled objections the way your champion does.",
    "acknowledgment": "You acknowledged the prospect's concerns before answering.",
    "value_next_step": "You tied answers to value and moved toward a next step.",
    "discovery": "You asked open questions to keep the prospect talking.",
    "clarity": "Your replies were clear and concise.",
}
CRITERION_IMPROVEMENT = {
    "technique": "Study how your champion answered each objection and reuse their moves.",
    "acknowledgment": 'Acknowledge the concern first ("I understand...") before you answer it.',
    "value_next_step": "Connect each answer to the prospect's outcome and propose a concrete next step.",
    "discovery": "Ask more open questions (what, how, why) before pitching.",
    "clarity": "Keep replies shorter and more direct.",
}


def _words(text: str) -> int:
    return len(WORD.findall(text))


# Read from the whole transcript (1.5 MB of JSON for a 2-hour call) once per analysed call, not
# at every session's end: the summary is worked out again and again while reps practise.
REPLY_STYLE_CACHE_SECONDS = 30 * 24 * 3600


def _champion_reply_style(champion: Champion) -> dict[str, float]:
    """Questions per turn and words per turn of the champion in the recorded call (cached)."""
    key = f"training:reply-style:{champion_call_version(champion)}"
    style = cache.get(key)
    if not isinstance(style, dict):
        style = _reply_style_of(champion)
        cache.set(key, style, REPLY_STYLE_CACHE_SECONDS)
    return style


def _reply_style_of(champion: Champion) -> dict[str, float]:
    turns = [s for s in champion.parsed_transcript.segments if s.speaker in ("champion", None)]
    if not turns:
        return {"questions_per_reply": 0.0, "words_per_reply": 0.0}
    return {
        "questions_per_reply": round(sum(len(QUESTION.findall(t.text)) for t in turns) / len(turns), 2),
        "words_per_reply": round(sum(_words(t.text) for t in turns) / len(turns), 1),
    }


def session_summary_figures(session: TrainingSession, replies: Sequence[SessionMessage]) -> dict:
    """Overall score, per-criterion averages, strengths, improvements and the gap to the
    champion's own call metrics. Later replies weigh more: the end of a conversation is what
    the rep carries into the next one."""
    if not replies:
        return {
            "overall_score": 0.0,
            "criteria": {},
            "strengths": [],
            "improvements": ["Reply to the prospect at least once to get a score."],
            "comparison": {},
        }
    weights = np.linspace(1.0, 1.5, num=len(replies))
    overall = float(np.average([r.score for r in replies], weights=weights))
    names = list(replies[0].criteria)
    averages = {name: round(float(np.mean([r.criteria.get(name, 0) for r in replies])), 1) for name in names}
    ranked = sorted(averages, key=averages.get, reverse=True)
    strengths = [CRITERION_STRENGTH[name] for name in ranked if averages[name] >= 65][:3]
    champion_style = _champion_reply_style(session.champion)
    rep_questions = sum(len(QUESTION.findall(r.content)) for r in replies) / len(replies)
    rep_words = sum(_words(r.content) for r in replies) / len(replies)
    comparison = {
        "questions_per_reply": {"you": round(rep_questions, 2), "champion": champion_style["questions_per_reply"]},
        "words_per_reply": {"you": round(rep_words, 1), "champion": champion_style["words_per_reply"]},
    }
    # A reply that is no answer scores nothing on any criterion, so a rep who asked questions
    # and kept it short can average low on both; the advice must not contradict the figures
    # printed beside it ("ask more questions" to a rep who asked more than the champion).
    contradicted = set()
    if rep_questions >= champion_style["questions_per_reply"] and rep_questions > 0:
        contradicted.add("discovery")
    if rep_words <= champion_style["words_per_reply"]:
        contradicted.add("clarity")
    improvements = [
        CRITERION_IMPROVEMENT[name] for name in reversed(ranked) if averages[name] < 60 and name not in contradicted
    ][:3]
    spoken = [r for r in replies if r.audio_seconds]
    if spoken:
        rep_wpm = sum(_words(r.content) for r in spoken) / (sum(r.audio_seconds for r in spoken) / 60)
        comparison["words_per_minute"] = {
            "you": round(rep_wpm, 1),
            "champion": session.champion.call_metrics.get("words_per_minute"),
        }
    return {
        "overall_score": round(overall, 1),
        "criteria": averages,
        "strengths": strengths,
        "improvements": improvements,
        "comparison": comparison,
    }


def summary_sentence(session: TrainingSession, *, replies: int, overall_score: float) -> str:
    """One line on the session: replies, the overall score, objections handled, the outcome."""
    handled = min(session.stage, session.objection_count)
    outcome = session.outcome or "undecided"
    return (
        f"{replies} replies, overall {overall_score:.0f}/100; "
        f"{handled} of {session.objection_count} objections handled; outcome: {outcome}."
    )
