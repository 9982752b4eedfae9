"""How close a transcript is to what the script said, for the whole call and for each speaker."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence


@functools.cache
def _whisper_english_normalizer() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words, by jiwer,
    after Whisper's own English normalisation (case, punctuation, contractions, numbers and
    spellings), the way Whisper's published WERs are measured: "we're" vs "we are" or
    "Thirty" vs "30" is not an error."""
    import jiwer

    normalize = _whisper_english_normalizer()
    reference, hypothesis = normalize(reference).strip(), normalize(hypothesis).strip()
    if not reference:
        return 0.0 if not hypothesis else 1.0
    if not hypothesis:
        return 1.0
    return jiwer.wer(reference, hypothesis)


def wer_by_speaker(turns: Sequence[tuple[str, str]], hypothesis: str) -> dict[str, float]:
    """Word error rate of each speaker of a scripted call, from one alignment of the whole
    transcript against the whole script (jiwer's, after the same normalisation as :func:`wer`).

    Each reference word belongs to the speaker whose turn holds it; a substitution or deletion
    counts against that speaker, an inserted word against the speaker of the reference word
    just before it (the turn that was being heard). The transcript's timings are not used, so a
    word Whisper places a little early or late is not charged to the wrong speaker. The
    speakers' errors add up to the call's; each is divided by that speaker's reference words.
    """
    import jiwer

    normalize = _whisper_english_normalizer()
    reference: list[str] = []
    speakers: list[str] = []
    for speaker, text in turns:
        words = normalize(text).split()
        reference += words
        speakers += [speaker] * len(words)
    words_per_speaker = Counter(speakers)
    errors: Counter[str] = Counter()
    heard = normalize(hypothesis).split()
    if not heard:
        return dict.fromkeys(words_per_speaker, 1.0)
    for chunk in jiwer.process_words(" ".join(reference), " ".join(heard)).alignments[0]:
        if chunk.type in ("substitute", "delete"):
            errors.update(speakers[chunk.ref_start_idx : chunk.ref_end_idx])
        elif chunk.type == "insert":
            errors[speakers[max(chunk.ref_start_idx - 1, 0)]] += chunk.hyp_end_idx - chunk.hyp_start_idx
    return {speaker: errors[speaker] / count for speaker, count in words_per_speaker.items()}
