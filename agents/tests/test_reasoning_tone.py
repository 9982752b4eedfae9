"""Tone words follow the measured metrics."""

from __future__ import annotations

import dataclasses

from agents.reasoning import OfflineReasoner
from agents.testing.fixtures import call_metrics_with
from agents.types import VoiceProfile


def test_tone_words_follow_the_metrics():
    voice = VoiceProfile(
        pitch_median_hz=180.0, pitch_range_hz=120.0, energy_mean_db=-18.0, words_per_minute=185.0, pause_ratio=0.1
    )
    fast = OfflineReasoner().describe_tone(call_metrics_with(120.0, words_per_minute=185.0), voice)
    calm_voice = dataclasses.replace(voice, pitch_range_hz=25.0, energy_mean_db=-38.0, pause_ratio=0.3)
    measured = OfflineReasoner().describe_tone(
        call_metrics_with(120.0, words_per_minute=118.0, questions_per_minute=0.1, talk_ratio=0.8), calm_voice
    )

    assert fast["pace"] == "fast"
    assert fast["energy"] == "high"
    assert "inquisitive" in fast["style"]
    assert "animated" in fast["style"]
    assert measured["pace"] == "measured"
    assert measured["energy"] == "soft"
    assert {"presentational", "does most of the talking", "deliberate pauses", "calm"} <= set(measured["style"])
    assert measured["summary"].startswith("Measured pace (118 words per minute)")
