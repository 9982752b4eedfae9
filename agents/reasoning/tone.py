"""How the champion sounds, in words a rep can act on, from the numeric call metrics.

Deterministic and cheap, so both engines use it: a language model adds nothing to thresholds on
measured numbers. Thresholds are the usual ranges quoted for sales calls (about 140-160 words per
minute for conversational English, top reps asking 11-14 questions per hour-long discovery call,
talk ratios of 40-60 %).
"""

from __future__ import annotations

from typing import Any

from agents.types import CallMetrics, VoiceProfile


def _pace(words_per_minute: float) -> str:
    if words_per_minute <= 0:
        return "unknown"
    if words_per_minute < 130:
        return "measured"
    if words_per_minute <= 170:
        return "conversational"
    return "fast"


def _energy(energy_mean_db: float) -> str:
    # Mean RMS level in dBFS of the speech: close-miked calls sit around -20 to -30.
    if energy_mean_db >= -20:
        return "high"
    if energy_mean_db >= -32:
        return "moderate"
    return "soft"


def _pitch_variation(pitch_range_hz: float) -> str:
    if pitch_range_hz <= 0:
        return "unknown"
    if pitch_range_hz < 40:
        return "steady"
    if pitch_range_hz < 100:
        return "varied"
    return "expressive"


def describe_tone(metrics: CallMetrics, voice: VoiceProfile) -> dict[str, Any]:
    words_per_minute = metrics.words_per_minute or voice.words_per_minute
    pace = _pace(words_per_minute)
    energy = _energy(voice.energy_mean_db)
    pitch_variation = _pitch_variation(voice.pitch_range_hz)

    style: list[str] = []
    if metrics.questions_per_minute >= 1.0:
        style.append("inquisitive")
    elif metrics.questions_per_minute < 0.3:
        style.append("presentational")
    if metrics.talk_ratio is not None:
        if metrics.talk_ratio <= 0.55:
            style.append("listens more than talks")
        elif metrics.talk_ratio >= 0.7:
            style.append("does most of the talking")
    if metrics.filler_words_per_minute < 1.0:
        style.append("crisp")
    elif metrics.filler_words_per_minute > 3.0:
        style.append("hesitant")
    if voice.pause_ratio >= 0.25:
        style.append("deliberate pauses")
    if pitch_variation == "expressive":
        style.append("animated")
    elif pitch_variation == "steady":
        style.append("calm")
    if metrics.longest_monologue_seconds > 60:
        style.append("long monologues")

    summary = f"{pace.capitalize()} pace ({words_per_minute:.0f} words per minute), {energy} energy"
    if style:
        summary += ", " + ", ".join(style)
    return {
        "pace": pace,
        "words_per_minute": round(words_per_minute, 1),
        "energy": energy,
        "pitch_variation": pitch_variation,
        "questions_per_minute": round(metrics.questions_per_minute, 2),
        "talk_ratio": metrics.talk_ratio,
        "style": style,
        "summary": summary + ".",
    }
