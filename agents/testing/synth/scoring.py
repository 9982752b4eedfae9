"""How close a transcript is to what the script said."""

from __future__ import annotations

import functools
from collections.abc import Callable


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
