"""Known signals, hand-made transcripts and measurements of WAV files, for the audio and speech
engines' tests: a voice-like tone of a given pitch, a two-party call whose samples say who
speaks, and the median pitch and length of what a synthesizer wrote."""

from __future__ import annotations

import wave

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, load_audio
from agents.audio.voice import track_pitch
from agents.types import Segment, Transcript, Word

RATE = TARGET_SAMPLE_RATE


def harmonic_tone(f0: float, seconds: float = 1.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    # A voice-like spectrum: harmonics falling off, so the pitch is not the loudest partial's.
    tone = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 8))
    return (amplitude * tone / np.max(np.abs(tone))).astype(np.float32)


def spoken_segment(index: int, start: float, end: float, text: str, speaker: str | None) -> Segment:
    """A segment whose words are spread evenly over it."""
    tokens = text.split()
    step = (end - start) / len(tokens)
    words = [Word(tok, start + i * step, start + (i + 1) * step) for i, tok in enumerate(tokens)]
    return Segment(index, start, end, text, words, speaker)


def two_party_call() -> tuple[np.ndarray, Transcript]:
    """40 s: the champion speaks 0-6 s and 11-30 s, the buyer 7-10 s and 31-40 s. The samples
    are 0.25 where the champion speaks and 0.75 where the buyer does, so a sample of one
    voice can be checked value by value."""
    transcript = Transcript(
        text="",
        language="en",
        duration=40.0,
        segments=[
            spoken_segment(0, 0.0, 6.0, "Hi there, how is your quarter going so far?", "champion"),
            spoken_segment(1, 7.0, 10.0, "Busy, very busy.", "other"),
            spoken_segment(
                2, 11.0, 30.0, "I hear that. What is the biggest problem for the team right now?", "champion"
            ),
            spoken_segment(3, 31.0, 40.0, "It is too expensive for us at the moment I think.", "other"),
        ],
    )
    samples = np.zeros(40 * RATE, dtype=np.float32)
    for segment in transcript.segments:
        samples[int(segment.start * RATE) : int(segment.end * RATE)] = 0.25 if segment.speaker == "champion" else 0.75
    return samples, transcript


def median_pitch(path: str) -> float:
    """The median pitch (Hz) of a recording's voiced frames."""
    return float(np.nanmedian(track_pitch(load_audio(path))))


def wav_seconds(path: str) -> float:
    with wave.open(path) as wav:
        return wav.getnframes() / wav.getframerate()
