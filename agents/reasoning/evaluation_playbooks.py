"""The champion's playbook and the training scenario of a labelled script, as the judge sees them.

Two playbooks per script:

- ``labelled``: the script's own labels turned into patterns (timed on the synthetic transcript).
  It measures the judge alone, on the moves the champion really made, whatever the extractor does.
- ``extracted``: the offline extractor's output, as in the product (a missed objection is then
  no moment of the training at all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.providers.embeddings import Embedder
from agents.reasoning import categories as cat
from agents.reasoning.evaluation import script_patterns
from agents.reasoning.scenarios import recording_objections
from agents.scripts import CallScript, load_script, transcript_from_script
from agents.types import Objection, Pattern, ScenarioSpec

LABELLED = "labelled"
EXTRACTED = "extracted"
PLAYBOOKS: tuple[str, ...] = (LABELLED, EXTRACTED)


@dataclass(frozen=True)
class Playbook:
    """One script's patterns with their vectors (stored once, as the pipeline does) and the
    objections a training scenario of it raises, in call order."""

    script: CallScript
    patterns: list[Pattern]
    vectors: np.ndarray
    objections: list[Objection]
    # Per labelled objection (in call order): the scenario's objection for it, or None when the
    # playbook holds none there (the extractor missed it).
    objection_for_label: list[Objection | None]

    def scenario(self, difficulty: str) -> ScenarioSpec:
        """The training scenario of this call at ``difficulty``, the input of the pass mark."""
        return ScenarioSpec(
            title=self.script.title,
            persona=self.script.other,
            context=self.script.product,
            goal=f"Handle the objections of {self.script.other} and agree on a next step.",
            objections=self.objections,
            difficulty=difficulty,
        )


def labelled_patterns(script: CallScript) -> list[Pattern]:
    """The script's labelled turns as patterns on the synthetic transcript's timings; an answer
    to an objection responds to the buyer's latest objection before it."""
    segments = transcript_from_script(script).segments
    patterns: list[Pattern] = []
    last_objection: str | None = None
    for turn, segment in zip(script.turns, segments, strict=True):
        if turn.label is None:
            continue
        if turn.label == cat.OBJECTION:
            last_objection = turn.text
        patterns.append(
            Pattern(
                category=turn.label,
                text=turn.text,
                start=segment.start,
                end=segment.end,
                speaker=turn.speaker,
                responds_to=last_objection if turn.label == cat.OBJECTION_RESPONSE else None,
            )
        )
    return patterns


def labelled_objection_spans(script: CallScript) -> list[tuple[float, float]]:
    """The time span of each turn labelled as an objection, in call order."""
    segments = transcript_from_script(script).segments
    return [
        (segment.start, segment.end)
        for turn, segment in zip(script.turns, segments, strict=True)
        if turn.label == cat.OBJECTION
    ]


def overlaps(start: float, end: float, span: tuple[float, float]) -> bool:
    return min(end, span[1]) - max(start, span[0]) > 0


def build_playbook(name: str, *, playbook: str, embedder: Embedder) -> Playbook:
    """The ``playbook`` ("labelled" or "extracted") of the evaluation script ``name``."""
    if playbook not in PLAYBOOKS:
        raise ValueError(f"unknown playbook {playbook!r}; expected one of {PLAYBOOKS}")
    script = load_script(name)
    patterns = labelled_patterns(script) if playbook == LABELLED else script_patterns(name)
    objections = recording_objections(patterns)
    by_label = [
        next((o for o in objections if o.start is not None and _objection_overlaps(o, patterns, span)), None)
        for span in labelled_objection_spans(script)
    ]
    vectors = embedder.embed([p.text for p in patterns])
    return Playbook(script, patterns, vectors, objections, by_label)


def _objection_overlaps(objection: Objection, patterns: list[Pattern], span: tuple[float, float]) -> bool:
    pattern = next(p for p in patterns if p.category == cat.OBJECTION and p.text == objection.text)
    return overlaps(pattern.start, pattern.end, span)
