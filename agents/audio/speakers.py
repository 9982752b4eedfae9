"""Who speaks when: the champion or the other party, from the voices themselves.

Used when the transcription vendor does not say. The transcript's segments are cut at the
silences inside them (a turn change almost always has one, and Whisper often runs two short
turns into one segment), each piece is described by voice statistics (median pitch, level,
spectral centroid, the mean of MFCC-like cepstral coefficients), and the pieces are put
into two clusters by k-means with a deterministic start (the split along the first
principal component), so the same recording always gets the same answer. When the two
clusters are not really different voices, the recording has one speaker and all of it is
the champion's. The champion is the speaker with the most speaking time unless the caller
says it is the other one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.audio.decode import TARGET_SAMPLE_RATE, load_audio
from agents.audio.voice import (
    HOP_SECONDS,
    MIN_PAUSE_SECONDS,
    SILENCE_BELOW_SPEECH_DB,
    frame_energy_db,
    gather_frames,
    speech_level_db,
    track_pitch,
)
from agents.types import Segment, Transcript, Word

CHAMPION = "champion"
OTHER = "other"

# Pieces with less loud speech than this have unreliable statistics; they take the speaker
# of their nearest reliable neighbour in time.
MIN_RELIABLE_SECONDS = 0.4
# Is it two voices or one? k-means always finds two clusters, and with few pieces in 15
# dimensions even one voice splits cleanly by chance. So the split's separation (Fisher
# ratio along the line joining the two centroids) is compared with what the same procedure
# finds on a single Gaussian of the same size and covariance (a gap statistic): two voices
# when it beats that null's 95th percentile by NULL_MARGIN. On synthesized calls one voice
# scored 0.3-0.9x that percentile and two voices (even two men 20 Hz apart) 1.4-8x.
MIN_SEPARATION = 3.0
NULL_MARGIN = 1.1
_NULL_DRAWS = 100
# Below this many usable pieces there is too little evidence for a second voice.
MIN_PIECES = 6
_N_MELS = 26
_N_CEPSTRA = 12
_FFT = 512


@dataclass
class SpeakerAttribution:
    transcript: Transcript  # segments split at speaker changes, each with its speaker
    speakers_found: int  # 1 or 2
    champion_seconds: float
    other_seconds: float
    separation: float  # how distinct the two clusters are (see MIN_SEPARATION)
    separation_needed: float = 0.0  # what one voice could score by chance here


@dataclass
class _Piece:
    segment_index: int
    start: float
    end: float
    words: list[Word]
    features: np.ndarray | None = None
    loud_seconds: float = 0.0
    label: int = 0


def _mel_filterbank(sample_rate: int) -> np.ndarray:
    def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)

    mel_points = np.linspace(hz_to_mel(60.0), hz_to_mel(min(7600.0, sample_rate / 2 - 100)), _N_MELS + 2)
    hz_points = 700.0 * (10 ** (mel_points / 2595.0) - 1.0)
    bins = np.floor((_FFT + 1) * hz_points / sample_rate).astype(int)
    bank = np.zeros((_N_MELS, _FFT // 2 + 1))
    for m in range(1, _N_MELS + 1):
        left, centre, right = bins[m - 1], bins[m], bins[m + 1]
        for k in range(left, centre):
            bank[m - 1, k] = (k - left) / max(centre - left, 1)
        for k in range(centre, right):
            bank[m - 1, k] = (right - k) / max(right - centre, 1)
    return bank


def _dct_matrix() -> np.ndarray:
    n = np.arange(_N_MELS)
    k = np.arange(1, _N_CEPSTRA + 1)[:, None]  # c0 is overall loudness: left out
    return np.cos(np.pi * k * (2 * n + 1) / (2 * _N_MELS))


def _spectral_features(samples: np.ndarray, frame_indices: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cepstral coefficients 1-12 and the spectral centroid (kHz) of the given 10 ms frames."""
    hop = int(HOP_SECONDS * sample_rate)
    window = int(0.025 * sample_rate)
    taper = np.hanning(window)
    bank = _mel_filterbank(sample_rate)
    dct = _dct_matrix()
    freqs = np.fft.rfftfreq(_FFT, 1.0 / sample_rate)
    out = np.zeros((frame_indices.size, _N_CEPSTRA + 1), dtype=np.float32)
    for start in range(0, frame_indices.size, 8192):
        idx = frame_indices[start : start + 8192]
        frames = gather_frames(samples, idx, hop, window, window // 2) * taper
        power = np.abs(np.fft.rfft(frames, _FFT)) ** 2
        mel = np.log(np.maximum(power @ bank.T, 1e-10))
        out[start : start + idx.size, :_N_CEPSTRA] = mel @ dct.T
        total = np.maximum(power.sum(axis=1), 1e-10)
        out[start : start + idx.size, _N_CEPSTRA] = (power @ freqs) / total / 1000.0
    return out


def _pieces(transcript: Transcript, silent: np.ndarray) -> list[_Piece]:
    """Each segment cut at the silences of ``MIN_PAUSE_SECONDS`` or more inside it."""
    min_frames = int(round(MIN_PAUSE_SECONDS / HOP_SECONDS))
    pieces: list[_Piece] = []
    for index, segment in enumerate(transcript.segments):
        a = max(0, int(segment.start / HOP_SECONDS))
        b = min(silent.size, int(np.ceil(segment.end / HOP_SECONDS)))
        cuts: list[float] = []
        if b - a > min_frames:
            inside = np.concatenate([[False], silent[a:b], [False]]).astype(np.int8)
            edges = np.flatnonzero(np.diff(inside))
            for run_start, run_end in zip(edges[::2], edges[1::2], strict=True):
                if run_end - run_start >= min_frames and run_start > 0 and run_end < b - a:
                    cuts.append((a + (run_start + run_end) / 2) * HOP_SECONDS)
        bounds = [segment.start, *cuts, segment.end]
        words = segment.words or [Word(segment.text, segment.start, segment.end)]
        for left, right in zip(bounds[:-1], bounds[1:], strict=True):
            mine = [
                w
                for w in words
                if left <= (w.start + w.end) / 2 < right or (right == segment.end and (w.start + w.end) / 2 >= right)
            ]
            if mine or len(bounds) == 2:
                pieces.append(_Piece(index, left, right, mine))
    return pieces


def _kmeans_two(points: np.ndarray, weights: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Weighted two-means, started from the split along the first principal component.

    The principal axis's sign is fixed (largest component positive), so the start, and
    therefore the result, does not depend on the order of the pieces or on LAPACK.
    """
    centre = np.average(points, axis=0, weights=weights)
    _, _, vt = np.linalg.svd((points - centre) * np.sqrt(weights)[:, None], full_matrices=False)
    axis = vt[0] * np.sign(vt[0][np.argmax(np.abs(vt[0]))])
    labels = ((points - centre) @ axis > 0).astype(int)
    for _ in range(iterations):
        if labels.min() == labels.max():
            break
        centroids = np.stack([np.average(points[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
        distances = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        new_labels = distances.argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return labels


def _separation(points: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> float:
    if labels.min() == labels.max():
        return 0.0
    means = [np.average(points[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)]
    direction = means[1] - means[0]
    distance = float(np.linalg.norm(direction))
    if distance == 0:
        return 0.0
    projected = points @ (direction / distance)
    spread = 0.0
    for k in (0, 1):
        values, w = projected[labels == k], weights[labels == k]
        spread += float(np.sum(w * (values - np.average(values, weights=w)) ** 2))
    pooled = np.sqrt(spread / float(weights.sum()))
    return distance / max(pooled, 1e-6)


def _null_separation(points: np.ndarray, weights: np.ndarray) -> float:
    """95th percentile of the separation that k-means finds in one Gaussian voice shaped like
    ``points``. Seeded, so the decision is deterministic."""
    rng = np.random.default_rng(20_240_917)
    covariance = np.cov(points.T, aweights=weights)
    scores = []
    for _ in range(_NULL_DRAWS):
        fake = rng.multivariate_normal(np.zeros(points.shape[1]), covariance, size=points.shape[0], method="eigh")
        scores.append(_separation(fake, weights, _kmeans_two(fake, weights)))
    return float(np.percentile(scores, 95))


def _split_text(text: str, parts: list[list[Word]]) -> list[str]:
    """Cut a segment's punctuated text where its words were split between speakers.

    Words are found in order in the text; each cut falls after the last word of a part and
    the punctuation that follows it. Falls back to the words themselves when they cannot be
    found (a vendor that normalises words differently from its text).
    """
    texts: list[str] = []
    cursor = 0
    lowered = text.lower()
    for part_index, words in enumerate(parts):
        if part_index == len(parts) - 1:
            texts.append(text[cursor:].strip())
            break
        end = cursor
        for word in words:
            token = re.sub(r"^\W+|\W+$", "", word.text.lower())
            found = lowered.find(token, end) if token else -1
            if found < 0:
                return [" ".join(w.text for w in p) for p in parts]
            end = found + len(token)
        while end < len(text) and not text[end].isspace() and not text[end].isalnum():
            end += 1
        texts.append(text[cursor:end].strip())
        cursor = end
    return texts


def assign_speakers(
    transcript: Transcript,
    audio: str | Path | np.ndarray,
    *,
    champion_speaks_most: bool = True,
    sample_rate: int = TARGET_SAMPLE_RATE,
    keep_vendor_speakers: bool = True,
) -> SpeakerAttribution:
    """Attribute every segment to the champion or the other party.

    Returns a new transcript whose segments are split where the speaker changes inside a
    segment (ids renumbered, words kept) and carry ``speaker``. When the vendor already
    labelled every segment and ``keep_vendor_speakers`` is true, its labels are kept.
    ``champion_speaks_most=False`` makes the shorter speaker the champion (the uploader
    said so).
    """
    segments = transcript.segments
    if keep_vendor_speakers and segments and all(s.speaker in (CHAMPION, OTHER) for s in segments):
        champion = sum(s.end - s.start for s in segments if s.speaker == CHAMPION)
        other = sum(s.end - s.start for s in segments if s.speaker == OTHER)
        return SpeakerAttribution(transcript, 2 if other else 1, champion, other, float("inf"))

    samples = audio if isinstance(audio, np.ndarray) else load_audio(audio, sample_rate=sample_rate)
    energy = frame_energy_db(samples, sample_rate)
    f0 = track_pitch(samples, sample_rate)
    count = min(energy.size, f0.size)
    energy, f0 = energy[:count], f0[:count]
    level = speech_level_db(energy)
    silent = energy < level - SILENCE_BELOW_SPEECH_DB
    # Statistics from clearly voiced speech only: within 25 dB of the loud level.
    loud = energy > level - 25.0

    pieces = _pieces(transcript, silent)
    reliable: list[int] = []
    frame_ranges: list[np.ndarray] = []
    for piece in pieces:
        a = max(0, int(piece.start / HOP_SECONDS))
        b = min(count, int(np.ceil(piece.end / HOP_SECONDS)))
        frames = np.arange(a, b)[loud[a:b]]
        frame_ranges.append(frames)
        piece.loud_seconds = frames.size * HOP_SECONDS
    all_frames = np.concatenate(frame_ranges) if frame_ranges else np.zeros(0, dtype=int)
    spectral = (
        _spectral_features(samples, all_frames, sample_rate) if all_frames.size else np.zeros((0, _N_CEPSTRA + 1))
    )
    offset = 0
    for index, (piece, frames) in enumerate(zip(pieces, frame_ranges, strict=True)):
        block = spectral[offset : offset + frames.size]
        offset += frames.size
        pitches = f0[frames]
        pitches = pitches[~np.isnan(pitches)]
        if piece.loud_seconds < MIN_RELIABLE_SECONDS or pitches.size < 10:
            continue
        piece.features = np.concatenate(
            [
                [np.log(np.median(pitches)), float(np.mean(energy[frames])) / 10.0],
                block.mean(axis=0),
            ]
        )
        reliable.append(index)

    separation = separation_needed = 0.0
    two_speakers = False
    if len(reliable) >= MIN_PIECES:
        points = np.stack([pieces[i].features for i in reliable])  # type: ignore[misc]
        weights = np.array([pieces[i].loud_seconds for i in reliable])
        scale = np.sqrt(
            np.average((points - np.average(points, axis=0, weights=weights)) ** 2, axis=0, weights=weights)
        )
        points = (points - np.average(points, axis=0, weights=weights)) / np.maximum(scale, 1e-6)
        # Pitch is the strongest single cue between two voices; the 12 cepstra together
        # describe timbre and count as much as pitch, the level and centroid less.
        points *= np.array([3.0, 0.5, *([3.0 / np.sqrt(_N_CEPSTRA)] * _N_CEPSTRA), 1.0])
        labels = _kmeans_two(points, weights)
        separation = _separation(points, weights, labels)
        separation_needed = max(MIN_SEPARATION, NULL_MARGIN * _null_separation(points, weights))
        two_speakers = separation > separation_needed
        if two_speakers:
            for i, label in zip(reliable, labels, strict=True):
                pieces[i].label = int(label)

    if two_speakers:
        # Unreliable pieces (a short "Yes.") take the speaker of the nearest reliable one.
        centres = np.array([(pieces[i].start + pieces[i].end) / 2 for i in reliable])
        for piece in pieces:
            if piece.features is None:
                nearest = reliable[int(np.argmin(np.abs(centres - (piece.start + piece.end) / 2)))]
                piece.label = pieces[nearest].label
        talk = [sum(p.end - p.start for p in pieces if p.label == k) for k in (0, 1)]
        longest = 0 if talk[0] >= talk[1] else 1
        champion_label = longest if champion_speaks_most else 1 - longest
    else:
        champion_label = 0
        for piece in pieces:
            piece.label = 0

    pieces_of: dict[int, list[_Piece]] = {}
    for piece in pieces:
        pieces_of.setdefault(piece.segment_index, []).append(piece)
    new_segments: list[Segment] = []
    for index, segment in enumerate(segments):
        runs: list[list[_Piece]] = []
        for piece in pieces_of.get(index, []):
            if runs and runs[-1][-1].label == piece.label:
                runs[-1].append(piece)
            else:
                runs.append([piece])
        if len(runs) <= 1:
            label = runs[0][0].label if runs else champion_label
            speaker = CHAMPION if label == champion_label else OTHER
            new_segments.append(
                Segment(len(new_segments), segment.start, segment.end, segment.text, list(segment.words), speaker)
            )
            continue
        parts = [[w for p in run for w in p.words] for run in runs]
        texts = _split_text(segment.text, parts)
        for run, words, text in zip(runs, parts, texts, strict=True):
            start = words[0].start if words else run[0].start
            end = words[-1].end if words else run[-1].end
            speaker = CHAMPION if run[0].label == champion_label else OTHER
            new_segments.append(Segment(len(new_segments), start, end, text, words, speaker))

    champion_seconds = sum(s.end - s.start for s in new_segments if s.speaker == CHAMPION)
    other_seconds = sum(s.end - s.start for s in new_segments if s.speaker == OTHER)
    result = Transcript(transcript.text, transcript.language, transcript.duration, new_segments)
    return SpeakerAttribution(
        result,
        speakers_found=2 if two_speakers else 1,
        champion_seconds=round(champion_seconds, 3),
        other_seconds=round(other_seconds, 3),
        separation=round(float(separation), 3),
        separation_needed=round(float(separation_needed), 3),
    )
