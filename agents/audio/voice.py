"""Voice profile and call metrics, computed with numpy from the decoded audio and the transcript.

Everything is deterministic arithmetic on the samples and the word timings, so the same
recording always yields the same numbers. The signal-level helpers (pitch track, frame
energy) are shared with :mod:`agents.audio.speakers`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, load_audio
from agents.types import CallMetrics, Segment, Transcript, VoiceProfile, Word

# Analysis frames: 10 ms hop is the usual resolution for prosody; a 32 ms window holds two
# periods of a 60 Hz voice, the lowest pitch we look for.
HOP_SECONDS = 0.010
PITCH_WINDOW_SECONDS = 0.032
PITCH_MIN_HZ = 60.0
PITCH_MAX_HZ = 400.0
# YIN's threshold on the cumulative mean normalised difference (de Cheveigné & Kawahara
# 2002 use 0.1-0.15); above it a frame is called unvoiced.
YIN_THRESHOLD = 0.15
# Frames this far below the loud speech level are silence, whatever the recording's gain.
SILENCE_BELOW_SPEECH_DB = 30.0
# A gap shorter than this is articulation (a stop consonant, a breath), not a pause.
MIN_PAUSE_SECONDS = 0.25
# Words closer than this belong to the same stretch of speech when measuring speaking time.
SPEECH_BRIDGE_SECONDS = 1.0
# Consecutive turns of one speaker separated by less than this form one monologue.
MONOLOGUE_BRIDGE_SECONDS = 2.0

FILLER_WORDS = ("um", "uh", "er", "erm", "ah", "hmm", "mm", "umm", "uhm")
# Fillers that are also ordinary words ("I like it", "you know the price"): counted only
# where punctuation marks them as a hesitation, e.g. "it's, like, expensive".
CONTEXTUAL_FILLERS = ("like", "you know", "i mean", "kind of", "sort of", "basically", "literally")


# --- signal level ----------------------------------------------------------------------------


def frame_count(sample_count: int, sample_rate: int = TARGET_SAMPLE_RATE) -> int:
    """Number of 10 ms hops in a recording: one per hop start, the last one partial."""
    hop = int(round(HOP_SECONDS * sample_rate))
    return max(1, -(-sample_count // hop))


def gather_frames(samples: np.ndarray, frame_indices: np.ndarray, hop: int, window: int, left: int) -> np.ndarray:
    """Frames (float64, one row per index) starting ``left`` samples before each hop start,
    zeros outside the recording.

    Gathered block by block by the callers instead of padding and copying the whole
    recording: a two-hour call is 460 MB of float32 and must not be held twice.
    """
    positions = frame_indices[:, None] * hop - left + np.arange(window)[None, :]
    inside = (positions >= 0) & (positions < samples.size)
    frames = (
        samples[np.clip(positions, 0, max(samples.size - 1, 0))].astype(np.float64)
        if samples.size
        else np.zeros(positions.shape)
    )
    frames[~inside] = 0.0
    return frames


def frame_energy_db(samples: np.ndarray, sample_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """RMS level in dBFS of each 10 ms hop (25 ms window centred on it); -100 for silence."""
    samples = np.asarray(samples)
    hop = int(round(HOP_SECONDS * sample_rate))
    window = int(round(0.025 * sample_rate))
    count = frame_count(samples.size, sample_rate)
    out = np.empty(count, dtype=np.float32)
    for start in range(0, count, 16_384):
        indices = np.arange(start, min(start + 16_384, count))
        block = gather_frames(samples, indices, hop, window, window // 2)
        rms = np.sqrt(np.mean(block * block, axis=1))
        out[indices] = 20.0 * np.log10(np.maximum(rms, 1e-5))
    return out


def speech_level_db(energy_db: np.ndarray) -> float:
    """The level of loud speech: the 95th percentile of frames that are not digital silence."""
    active = energy_db[energy_db > -99.0]
    return float(np.percentile(active, 95)) if active.size else -100.0


def track_pitch(
    samples: np.ndarray,
    sample_rate: int = TARGET_SAMPLE_RATE,
    *,
    fmin: float = PITCH_MIN_HZ,
    fmax: float = PITCH_MAX_HZ,
    threshold: float = YIN_THRESHOLD,
) -> np.ndarray:
    """Fundamental frequency per 10 ms hop (YIN), NaN where unvoiced or silent.

    The difference function is computed for all frames of a block at once through FFT
    cross-correlation and cumulative sums of squares, so a one-hour call takes seconds.
    """
    samples = np.asarray(samples)
    hop = int(round(HOP_SECONDS * sample_rate))
    window = int(round(PITCH_WINDOW_SECONDS * sample_rate))
    min_lag = max(2, int(sample_rate / fmax))
    max_lag = int(np.ceil(sample_rate / fmin))
    span = window + max_lag
    energy = frame_energy_db(samples, sample_rate)
    total = energy.size
    # Relative to the recording's speech level, and never digital silence (where the
    # difference function is zero at every lag and any lag would look periodic).
    gate = max(speech_level_db(energy) - SILENCE_BELOW_SPEECH_DB, -90.0)
    n_fft = 1 << int(np.ceil(np.log2(span + window)))
    f0 = np.full(total, np.nan, dtype=np.float32)
    lags = np.arange(max_lag + 1)
    for start in range(0, total, 1024):  # ~100 MB of FFT work arrays per block
        loud = energy[start : start + 1024] > gate
        if not loud.any():
            continue
        idx = np.flatnonzero(loud)
        x = gather_frames(samples, start + idx, hop, span, window // 2)
        head = x[:, :window]
        # r(tau) = sum_j x[j] x[j + tau] for j < window, for every lag at once.
        spectrum = np.conj(np.fft.rfft(head, n_fft)) * np.fft.rfft(x, n_fft)
        corr = np.fft.irfft(spectrum, n_fft)[:, : max_lag + 1]
        squares = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x * x, axis=1)], axis=1)
        energy_head = squares[:, window][:, None]
        energy_lagged = squares[:, lags + window] - squares[:, lags]
        diff = np.maximum(energy_head + energy_lagged - 2.0 * corr, 0.0)
        cumulative = np.cumsum(diff[:, 1:], axis=1)
        cmnd = np.ones_like(diff)
        cmnd[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(cumulative, 1e-12)
        search = cmnd[:, min_lag:]
        below = search < threshold
        has_dip = below.any(axis=1)
        # First lag under the threshold, then down to the bottom of that dip: the first dip
        # is the period, later (sometimes deeper) ones are its multiples.
        first = below.argmax(axis=1)
        columns = np.arange(search.shape[1] - 1)
        rising = (search[:, 1:] >= search[:, :-1]) & (columns[None, :] >= first[:, None])
        bottom = np.where(rising.any(axis=1), rising.argmax(axis=1), search.shape[1] - 1)
        rows = np.arange(search.shape[0])
        voiced = has_dip & (search[rows, bottom] < threshold)
        # Parabolic interpolation around the minimum for sub-sample precision.
        inner = np.clip(bottom, 1, search.shape[1] - 2)
        a, b, c = search[rows, inner - 1], search[rows, inner], search[rows, inner + 1]
        denom = a - 2.0 * b + c
        shift = np.where((denom > 0) & (inner == bottom), 0.5 * (a - c) / np.where(denom > 0, denom, 1.0), 0.0)
        period = bottom + min_lag + np.clip(shift, -1.0, 1.0)
        f0[start + idx[voiced]] = (sample_rate / period[voiced]).astype(np.float32)
    return f0


# --- transcript level -----------------------------------------------------------------------


def _words_of(segments: Iterable[Segment]) -> list[Word]:
    return [word for segment in segments for word in segment.words]


def _speech_spans(segments: Sequence[Segment], bridge: float = SPEECH_BRIDGE_SECONDS) -> list[tuple[float, float]]:
    """Stretches of continuous speech: word intervals merged across gaps under ``bridge``.

    Segments without word timings count whole.
    """
    intervals = sorted(
        (w.start, w.end)
        for segment in segments
        for w in (segment.words or [Word(segment.text, segment.start, segment.end)])
    )
    spans: list[tuple[float, float]] = []
    for start, end in intervals:
        if spans and start - spans[-1][1] < bridge:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def speaking_seconds(segments: Sequence[Segment]) -> float:
    return float(sum(end - start for start, end in _speech_spans(segments)))


def _select(transcript: Transcript, speaker: str | None) -> list[Segment]:
    """The segments of ``speaker``, or all of them when speakers are unknown."""
    if speaker is None or not any(s.speaker for s in transcript.segments):
        return list(transcript.segments)
    return [s for s in transcript.segments if s.speaker == speaker]


def count_questions(text: str) -> int:
    """Sentences ending in a question mark (Whisper punctuates questions reliably)."""
    return len(re.findall(r"\?+", text))


def count_fillers(text: str) -> Counter[str]:
    normalized = " " + re.sub(r"\s+", " ", text.lower()) + " "
    counts: Counter[str] = Counter()
    for filler in FILLER_WORDS:
        found = len(re.findall(rf"(?<![\w']){filler}(?![\w'])", normalized))
        if found:
            counts[filler] += found
    for filler in CONTEXTUAL_FILLERS:
        # A hesitation is set off by punctuation on at least one side ("so, like, we" /
        # "it's like, a lot"), or opens a sentence with a comma ("Basically, ...").
        pattern = rf"(?:[,.;!?…-]\s*{filler}(?![\w'])|(?<![\w']){filler}\s*[,…-])"
        found = len(re.findall(pattern, normalized))
        if found:
            counts[filler] += found
    return counts


def call_metrics(transcript: Transcript, *, speaker: str | None = "champion") -> CallMetrics:
    """Delivery metrics of ``speaker`` (the champion by default) in a call.

    With speaker turns unknown, every segment counts as the champion's and the talk ratio is
    None. Rates are per minute of the speaker's own speaking time, except questions per
    minute, which is per minute of call: a coach reads "asks a question every two minutes".
    """
    mine = _select(transcript, speaker)
    speakers_known = speaker is not None and any(s.speaker for s in transcript.segments)
    text = " ".join(s.text.strip() for s in mine)
    words = _words_of(mine)
    word_count = len(words) if words else len(re.findall(r"[\w']+", text))
    talking = speaking_seconds(mine)
    talking_minutes = talking / 60.0
    duration = transcript.duration or (max((s.end for s in transcript.segments), default=0.0))
    call_minutes = duration / 60.0
    questions = count_questions(text)
    fillers = count_fillers(text)
    filler_total = sum(fillers.values())

    talk_ratio: float | None = None
    if speakers_known:
        others = [s for s in transcript.segments if s.speaker and s.speaker != speaker]
        everyone = talking + speaking_seconds(others)
        talk_ratio = round(talking / everyone, 4) if everyone > 0 else None

    return CallMetrics(
        duration_seconds=round(duration, 3),
        words_per_minute=round(word_count / talking_minutes, 2) if talking_minutes > 0 else 0.0,
        questions_per_minute=round(questions / call_minutes, 3) if call_minutes > 0 else 0.0,
        filler_words=filler_total,
        filler_words_per_minute=round(filler_total / talking_minutes, 3) if talking_minutes > 0 else 0.0,
        longest_monologue_seconds=round(longest_monologue(transcript, speaker if speakers_known else None), 3),
        talk_ratio=talk_ratio,
        question_count=questions,
        filler_word_counts=dict(sorted(fillers.items())),
    )


def longest_monologue(transcript: Transcript, speaker: str | None) -> float:
    """Longest stretch in which ``speaker`` talks with no turn of anyone else in between.

    Without speaker turns, the longest stretch of speech without a pause over 2 s.
    """
    longest = 0.0
    run_start: float | None = None
    run_end = 0.0
    for segment in sorted(transcript.segments, key=lambda s: s.start):
        ours = speaker is None or segment.speaker == speaker
        if ours and run_start is not None and segment.start - run_end <= MONOLOGUE_BRIDGE_SECONDS:
            run_end = max(run_end, segment.end)
        elif ours:
            run_start, run_end = segment.start, segment.end
        else:
            run_start = None
        if run_start is not None:
            longest = max(longest, run_end - run_start)
    return longest


@dataclass(frozen=True)
class _SpanMask:
    """Which 10 ms hops fall inside a set of time spans."""

    mask: np.ndarray

    @classmethod
    def of(cls, spans: Iterable[tuple[float, float]], frame_count: int) -> _SpanMask:
        mask = np.zeros(frame_count, dtype=bool)
        for start, end in spans:
            a = max(0, int(start / HOP_SECONDS))
            b = min(frame_count, int(np.ceil(end / HOP_SECONDS)))
            mask[a:b] = True
        return cls(mask)


def pause_ratio(energy_db: np.ndarray, mask: np.ndarray, *, min_pause: float = MIN_PAUSE_SECONDS) -> float:
    """Share of the masked time spent in silences of ``min_pause`` or longer."""
    if not mask.any():
        return 0.0
    silent = (energy_db < speech_level_db(energy_db) - SILENCE_BELOW_SPEECH_DB) & mask
    min_frames = int(round(min_pause / HOP_SECONDS))
    # Run lengths of silent frames; only long runs are pauses.
    padded = np.concatenate([[False], silent, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    lengths = ends - starts
    paused = int(lengths[lengths >= min_frames].sum())
    return paused / int(mask.sum())


def voice_profile(
    audio: str | Path | np.ndarray,
    transcript: Transcript,
    *,
    speaker: str | None = "champion",
    sample_rate: int = TARGET_SAMPLE_RATE,
) -> VoiceProfile:
    """The voice of ``speaker`` (the champion by default; everyone when turns are unknown).

    ``audio`` is the decoded WAV path or its samples at ``sample_rate``. Pitch median and
    range (5th to 95th percentile, robust to octave errors of single frames) come from the
    voiced frames inside the speaker's segments; energy is the mean level of their voiced
    frames in dBFS; the pause ratio is the share of the speaker's turns spent in silences of
    a quarter second or more.
    """
    samples = audio if isinstance(audio, np.ndarray) else load_audio(audio, sample_rate=sample_rate)
    mine = _select(transcript, speaker)
    energy = frame_energy_db(samples, sample_rate)
    f0 = track_pitch(samples, sample_rate)
    count = min(energy.size, f0.size)
    energy, f0 = energy[:count], f0[:count]
    turns = _SpanMask.of(((s.start, s.end) for s in mine), count).mask
    voiced = turns & ~np.isnan(f0)
    pitches = f0[voiced]
    if pitches.size:
        median = float(np.median(pitches))
        low, high = np.percentile(pitches, [5, 95])
        pitch_range = float(high - low)
    else:
        median = pitch_range = 0.0
    level = float(np.mean(energy[voiced])) if voiced.any() else float(np.mean(energy[turns])) if turns.any() else -100.0
    words = _words_of(mine)
    word_count = len(words) if words else sum(len(re.findall(r"[\w']+", s.text)) for s in mine)
    minutes = speaking_seconds(mine) / 60.0
    return VoiceProfile(
        pitch_median_hz=round(median, 2),
        pitch_range_hz=round(pitch_range, 2),
        energy_mean_db=round(level, 2),
        words_per_minute=round(word_count / minutes, 2) if minutes > 0 else 0.0,
        pause_ratio=round(pause_ratio(energy, turns), 4),
    )


# --- voice sample ----------------------------------------------------------------------------

# ElevenLabs' instant cloning asks for one to two minutes of clean speech; more does not help.
VOICE_SAMPLE_MAX_SECONDS = 120.0
# Silence between two stretches of speech in the sample: a natural pause, not a jump cut.
VOICE_SAMPLE_GAP_SECONDS = 0.3


def speaker_sample(
    samples: np.ndarray,
    transcript: Transcript,
    *,
    speaker: str | None,
    max_seconds: float = VOICE_SAMPLE_MAX_SECONDS,
    sample_rate: int = TARGET_SAMPLE_RATE,
) -> np.ndarray:
    """The speaker's own stretches of speech, in call order, joined by short pauses and cut at
    ``max_seconds``: a clean sample of one voice (for a vendor's voice cloning), without the
    other party's turns or the silences between them."""
    gap = np.zeros(int(VOICE_SAMPLE_GAP_SECONDS * sample_rate), dtype=np.float32)
    budget = int(max_seconds * sample_rate)
    pieces: list[np.ndarray] = []
    taken = 0
    for start, end in _speech_spans(_select(transcript, speaker), bridge=0.5):
        piece = samples[int(start * sample_rate) : int(end * sample_rate)]
        if taken + piece.size > budget:
            piece = piece[: budget - taken]
        if piece.size:
            pieces.extend([piece.astype(np.float32), gap])
            taken += piece.size
        if taken >= budget:
            break
    return np.concatenate(pieces[:-1]) if pieces else np.zeros(0, dtype=np.float32)


# --- transcript coverage -----------------------------------------------------------------------

# Sound within this many dB of the recording's speech level counts as someone talking (or
# music): quieter frames are room tone and breaths.
SOUND_WITHIN_DB = 20.0
# Word timings hug the words; this much slack around them before a loud frame counts as missed.
COVERAGE_SLACK_SECONDS = 0.5


def transcribed_share(samples: np.ndarray, transcript: Transcript, *, sample_rate: int = TARGET_SAMPLE_RATE) -> float:
    """Share of the recording's loud frames that fall inside transcribed speech.

    Near 1 for a clear call. Low when most of what is heard never became words (overlapping
    voices, music, a language the model does not know): the playbook then comes from part of
    the call only, which the user should be told. 1.0 for a recording with no sound at all.
    """
    energy = frame_energy_db(samples, sample_rate)
    # -100 dB is digital silence (frame_energy_db's floor), never sound.
    loud = (energy > -99.0) & (energy > speech_level_db(energy) - SOUND_WITHIN_DB)
    if not loud.any():
        return 1.0
    spans = _speech_spans(transcript.segments)
    slack = COVERAGE_SLACK_SECONDS
    covered = _SpanMask.of(((start - slack, end + slack) for start, end in spans), energy.size).mask
    return float((loud & covered).sum() / loud.sum())
