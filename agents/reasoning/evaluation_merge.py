"""Where near-duplicate patterns merge (:data:`~agents.reasoning.extraction.merge.MERGE_COSINE`
and :data:`~agents.reasoning.extraction.merge.MERGE_WORD_RATIO`), measured on labelled pairs of the offline extractor's own patterns of the evaluation scripts.

- **same move** (must merge): a pattern and the same words as speech recognition might hear
  them again, one, two or three words wrong (dropped, replaced by another word of the call, a
  hesitation or the word said twice inserted), seeded;
- **distinct moves** (must not merge): every two patterns of one call with the same category
  and speaker and different words, however alike (two objections about the price, two
  discovery questions about the same process);
- **paraphrases** (reported, must not merge either): the judge set's champion answer to an
  objection against each of its paraphrases, the same idea in other words.

The threshold is chosen on the tuning split (the extractor's: ``EXTRACTION_SPLITS``) and the
reported split is measured with it. ``python -m agents.reasoning.evaluation_merge``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from importlib import resources
from itertools import combinations

import numpy as np

from agents.providers.embeddings import Embedder, get_embedder
from agents.reasoning.evaluation import script_patterns
from agents.reasoning.evaluation_judge_set import REPORTED, TUNING
from agents.reasoning.evaluation_objections import EXTRACTION_SPLITS
from agents.reasoning.extraction.merge import MERGE_COSINE, MERGE_WORD_RATIO, normalized_text, word_ratio
from agents.types import Pattern

# Words misheard per variant: the pipeline's transcripts are 2-9 % wrong (README.md), and a
# pattern is one to three sentences of 8-30 words.
EDITS = (1, 2, 3)
_INSERTED = ("um", "so", "uh", "like", "you know")


@dataclass(frozen=True)
class PairKind:
    cosines: list[float]
    ratios: list[float]  # word ratios of the normalised texts

    def merged(self, cosine: float = MERGE_COSINE, ratio: float = MERGE_WORD_RATIO) -> float:
        both = [c >= cosine and r >= ratio for c, r in zip(self.cosines, self.ratios, strict=True)]
        return sum(both) / max(1, len(both))


@dataclass(frozen=True)
class MergeFigures:
    split: str
    same_move: PairKind  # must merge
    distinct: PairKind  # must stay apart
    paraphrase: PairKind  # must stay apart


def misheard(text: str, vocabulary: list[str], rng: random.Random, edits: int) -> str:
    """``text`` with ``edits`` words dropped, replaced by another word of the call or given a
    neighbour (a hesitation, the word said twice)."""
    words = text.split()
    for _ in range(edits):
        position = rng.randrange(len(words))
        edit = rng.choice(("drop", "replace", "insert"))
        if edit == "drop" and len(words) > 2:
            del words[position]
        elif edit == "replace":
            words[position] = rng.choice(vocabulary)
        else:
            words.insert(position, rng.choice((*_INSERTED, words[position])))
    return " ".join(words)


def _kind(embedder: Embedder, pairs: list[tuple[str, str]]) -> PairKind:
    if not pairs:
        return PairKind([], [])
    left = embedder.embed([a for a, _ in pairs])
    right = embedder.embed([b for _, b in pairs])
    left = left / np.linalg.norm(left, axis=1, keepdims=True)
    right = right / np.linalg.norm(right, axis=1, keepdims=True)
    return PairKind(
        cosines=[float(x) for x in np.sum(left * right, axis=1)],
        ratios=[word_ratio(normalized_text(a), normalized_text(b)) for a, b in pairs],
    )


def _pairs_of_call(patterns: list[Pattern], rng: random.Random) -> tuple[list, list]:
    vocabulary = [word for pattern in patterns for word in pattern.text.split()]
    same = [(p.text, misheard(p.text, vocabulary, rng, edits)) for p in patterns for edits in EDITS]
    distinct = [
        (a.text, b.text)
        for a, b in combinations(patterns, 2)
        if (a.category, a.speaker) == (b.category, b.speaker) and normalized_text(a.text) != normalized_text(b.text)
    ]
    return same, distinct


def _paraphrase_pairs(scripts: tuple[str, ...]) -> list[tuple[str, str]]:
    raw = json.loads(resources.files("agents.scripts").joinpath("eval/judge_set.json").read_text("utf-8"))
    pairs = []
    for moment in raw["moments"]:
        if moment["script"] not in scripts:
            continue
        champion = [r["text"] for r in moment["replies"] if r["kind"] == "champion"]
        pairs += [(champion[0], r["text"]) for r in moment["replies"] if r["kind"] == "paraphrase" and champion]
    return pairs


def measure(split: str, embedder: Embedder | None = None) -> MergeFigures:
    embedder = embedder or get_embedder()
    rng = random.Random(13)  # the same variants on every run
    same, distinct = [], []
    for name in EXTRACTION_SPLITS[split]:
        call_same, call_distinct = _pairs_of_call(script_patterns(name, embedder), rng)
        same += call_same
        distinct += call_distinct
    return MergeFigures(
        split=split,
        same_move=_kind(embedder, same),
        distinct=_kind(embedder, distinct),
        paraphrase=_kind(embedder, _paraphrase_pairs(EXTRACTION_SPLITS[split])),
    )


def report() -> str:
    lines = [f"merged from cosine {MERGE_COSINE} and word ratio {MERGE_WORD_RATIO}"]
    for split in (TUNING, REPORTED):
        figures = measure(split)
        parts = []
        for label, kind in (
            ("same move", figures.same_move),
            ("distinct moves", figures.distinct),
            ("paraphrases", figures.paraphrase),
        ):
            parts.append(
                f"{label} merged {kind.merged():.1%} of {len(kind.cosines)} "
                f"(cosine max {max(kind.cosines, default=0):.2f}, word ratio max {max(kind.ratios, default=0):.2f})"
            )
        lines.append(f"{split}: " + "; ".join(parts))
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
