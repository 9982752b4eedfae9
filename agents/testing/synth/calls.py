"""A scripted two-voice sales call spoken turn by turn into one WAV, with its true turn timings."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, load_audio, read_wav, write_wav
from agents.audio.wav import float_to_pcm16, wav_writer
from agents.providers.speech import (
    CHAMPION_VOICE,
    PROSPECT_VOICE,
    EspeakSynthesizer,
    SpeechSynthesizer,
    VoiceSettings,
)

DEFAULT_VOICES: dict[str, VoiceSettings] = {"champion": CHAMPION_VOICE, "other": PROSPECT_VOICE}

# A short discovery call (about a minute of speech) used by the tests and for measuring the
# offline transcriber. Numbers are spelled out so that WER does not depend on digit style.
SAMPLE_CALL: tuple[tuple[str, str], ...] = (
    ("champion", "Hi Sarah, thanks for taking the time today. How is your week going so far?"),
    ("other", "It has been busy. We are hiring a lot of new sales people this quarter."),
    (
        "champion",
        "That makes sense. How does your team handle onboarding for new hires right now? "
        "What happens in their first two weeks?",
    ),
    (
        "other",
        "Mostly shadowing. New reps listen to calls from our best people, but it takes a long "
        "time before they are ready.",
    ),
    (
        "champion",
        "I hear that a lot. Our platform turns your best calls into practice sessions, so new "
        "reps can rehearse real conversations before they talk to a customer.",
    ),
    ("other", "Honestly, the price is too high for us right now. We already pay for three tools."),
    (
        "champion",
        "I understand. Most of our customers replace at least one of those tools, and they "
        "ramp new reps a month faster. Would it help to look at the numbers together?",
    ),
    ("other", "Maybe. I would need to talk to my manager before we decide anything."),
    (
        "champion",
        "Of course. Shall we book thirty minutes with your manager next Tuesday, so I can walk "
        "you both through a short pilot?",
    ),
    ("other", "Yes, Tuesday afternoon works for us."),
)


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    start: float  # seconds, first non-silent sample of the turn
    end: float  # seconds, last non-silent sample of the turn


@dataclass
class SynthesizedCall:
    wav_path: str
    duration: float
    sample_rate: int
    turns: list[Turn] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(turn.text for turn in self.turns)

    def speaker_at(self, time: float) -> str | None:
        """Who is speaking at ``time`` according to the script (None in a pause)."""
        for turn in self.turns:
            if turn.start <= time <= turn.end:
                return turn.speaker
        return None

    def speaking_seconds(self, speaker: str | None = None) -> float:
        return sum(t.end - t.start for t in self.turns if speaker is None or t.speaker == speaker)


def _trim_silence(samples: np.ndarray, sample_rate: int, floor_db: float = -50.0) -> np.ndarray:
    """Drop leading and trailing silence so that a turn's timings are those of its speech."""
    hop = sample_rate // 100
    if samples.size < hop:
        return samples
    frames = samples[: samples.size - samples.size % hop].reshape(-1, hop)
    loud = np.flatnonzero(20 * np.log10(np.maximum(np.sqrt(np.mean(frames**2, axis=1)), 1e-6)) > floor_db)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] * hop : (loud[-1] + 1) * hop]


def call_voices() -> SpeechSynthesizer:
    """Piper (a neural voice shipped on PyPI) for the male champion and espeak-ng for the
    female buyer when Piper is installed (clearer speech, lower WER); espeak-ng otherwise."""
    from agents.providers.speech import PiperSynthesizer, piper_available

    return PiperSynthesizer() if piper_available() else EspeakSynthesizer()


def synthesize_call(
    script: Sequence[tuple[str, str]],
    out_wav: str | Path,
    *,
    voices: Mapping[str, VoiceSettings] | None = None,
    synthesizer: SpeechSynthesizer | None = None,
    pause_seconds: Sequence[float] = (0.6, 0.8, 0.5, 0.7),
    lead_in_seconds: float = 0.5,
    sample_rate: int = TARGET_SAMPLE_RATE,
) -> SynthesizedCall:
    """Speak ``script`` turn by turn and join it into one WAV at ``out_wav``.

    ``voices`` maps each speaker of the script to its voice (default: a male champion and a
    female other party, espeak-ng). Pauses between turns cycle through ``pause_seconds`` so the
    rhythm is not perfectly regular. Timings are reproducible to a few milliseconds (espeak's
    female variant adds random breath noise, so the samples are not bit-identical).
    """
    voices = dict(DEFAULT_VOICES if voices is None else voices)
    synthesizer = synthesizer or EspeakSynthesizer()
    pieces: list[np.ndarray] = [np.zeros(int(lead_in_seconds * sample_rate), dtype=np.float32)]
    cursor = lead_in_seconds
    turns: list[Turn] = []
    with tempfile.TemporaryDirectory(prefix="synth-call-") as scratch:
        for index, (speaker, text) in enumerate(script):
            if speaker not in voices:
                raise KeyError(f"no voice for speaker {speaker!r}")
            turn_wav = synthesizer.synthesize(text, voices[speaker], Path(scratch) / f"turn-{index}.wav")
            speech = _trim_silence(load_audio(turn_wav, sample_rate=sample_rate), sample_rate)
            turns.append(Turn(speaker, text, round(cursor, 3), round(cursor + speech.size / sample_rate, 3)))
            pause = pause_seconds[index % len(pause_seconds)] if pause_seconds else 0.0
            pieces += [speech, np.zeros(int(pause * sample_rate), dtype=np.float32)]
            cursor += (speech.size + int(pause * sample_rate)) / sample_rate
    samples = np.concatenate(pieces)
    # Headroom: espeak peaks near full scale and AAC overshoots a little.
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak > 0.8:
        samples = samples * (0.8 / peak)
    write_wav(out_wav, samples, sample_rate)
    return SynthesizedCall(str(out_wav), samples.size / sample_rate, sample_rate, turns)


# Each repetition of a looped call a little louder or softer and after a slightly different
# pause, so that no two stretches of a long call are the same samples.
_LOOP_GAINS = (1.0, 0.93, 0.97, 0.9, 0.95)
_LOOP_PAUSES = (0.7, 0.5, 0.9, 0.6)


def loop_call(call: SynthesizedCall, out_wav: str | Path, seconds: float) -> SynthesizedCall:
    """``call`` repeated, with small variations, into a WAV of at most ``seconds`` (the last
    repetition cut after its last whole turn), with every turn spoken: a long call for the
    benchmark, written one repetition at a time (never the whole call in memory)."""
    source, _ = read_wav(call.wav_path)
    rate = call.sample_rate
    target = int(seconds * rate)
    turns: list[Turn] = []
    written = 0
    with wav_writer(out_wav, rate) as out:
        repetition = 0
        while target - written > rate:
            offset = written / rate
            whole = [t for t in call.turns if t.end <= (target - written) / rate]
            if not whole:
                break
            take = source.size if len(whole) == len(call.turns) else int((whole[-1].end + 0.3) * rate)
            gain = _LOOP_GAINS[repetition % len(_LOOP_GAINS)]
            pause = np.zeros(int(_LOOP_PAUSES[repetition % len(_LOOP_PAUSES)] * rate), dtype=np.float32)
            piece = np.concatenate([source[:take] * gain, pause])[: target - written]
            out.writeframes(float_to_pcm16(piece).tobytes())
            written += piece.size
            turns += [Turn(t.speaker, t.text, round(t.start + offset, 3), round(t.end + offset, 3)) for t in whole]
            repetition += 1
    return SynthesizedCall(str(out_wav), written / rate, rate, turns)
