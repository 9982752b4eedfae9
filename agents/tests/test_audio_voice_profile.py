"""The voice profile: pauses on a known signal, and the profile of a synthesized two-voice call."""

from __future__ import annotations

import numpy as np
import pytest

from agents.audio.speakers import assign_speakers
from agents.audio.voice.frames import frame_energy_db
from agents.audio.voice.metrics import call_metrics
from agents.audio.voice.profile import pause_ratio, voice_profile
from agents.testing.fixtures import session_bundle
from agents.testing.signals import RATE, harmonic_tone


def test_pause_ratio_counts_only_silences_longer_than_a_quarter_second() -> None:
    tone = harmonic_tone(150.0)
    gap_long = np.zeros(RATE, dtype=np.float32)  # 1 s: a pause
    gap_short = np.zeros(RATE // 10, dtype=np.float32)  # 100 ms: articulation, not a pause
    signal = np.concatenate([tone, gap_long, tone, gap_short, tone])
    energy = frame_energy_db(signal)
    ratio = pause_ratio(energy, np.ones(energy.size, dtype=bool))
    assert ratio == pytest.approx(1.0 / 4.1, abs=0.02)


def test_voice_profile_of_a_synthesized_call_is_plausible_per_speaker(tmp_path_factory: pytest.TempPathFactory) -> None:
    bundle = session_bundle(tmp_path_factory.getbasetemp())
    attributed = assign_speakers(bundle.transcript, bundle.decoded.wav_path).transcript

    champion = voice_profile(bundle.decoded.wav_path, attributed)
    other = voice_profile(bundle.decoded.wav_path, attributed, speaker="other")

    # The script's voices: a male champion (espeak-ng m3, ~105 Hz) and a female prospect
    # (f3, ~210 Hz); both at 160-165 words per minute.
    assert 85 < champion.pitch_median_hz < 130
    assert 180 < other.pitch_median_hz < 250
    assert 10 < champion.pitch_range_hz < 80
    assert -35 < champion.energy_mean_db < -8
    assert 130 < champion.words_per_minute < 200
    assert 0.0 <= champion.pause_ratio < 0.25

    metrics = call_metrics(attributed)
    assert metrics.question_count >= 4  # the script's champion asks five
    assert 0.5 < metrics.talk_ratio < 0.75  # ground truth: 61 % of speaking time
    assert 5 < metrics.longest_monologue_seconds < 20
