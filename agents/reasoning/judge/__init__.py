"""The offline judge: scores a trainee's reply against the champion's own moves, deterministically.

Criteria (0-100 each, :mod:`.criteria`) and their weights:

- ``technique`` (0.35): embedding similarity of the reply to the champion's patterns for this
  moment: their answer to the objection on the table (and their other answers and value
  statements), their opening, or their closing.
- ``acknowledgment`` (0.20): the reply recognises the buyer's concern and names it, instead of
  brushing it off.
- ``value_next_step`` (0.20): a concrete benefit (figures, the buyer as beneficiary, proof from
  similar customers) and a proposed next step.
- ``discovery`` (0.15): an open question that makes the buyer talk; a closed one counts less.
- ``clarity`` (0.10): a spoken-length answer (about 12 to 70 words), short sentences, no fillers.

The same reply in the same moment always gets the same score: no randomness, and the embedder
is deterministic for a given text. The Claude coach shares the moment (:mod:`.moment`), the
weights and the quoted reference line (:mod:`.feedback`) with this judge.
"""

from __future__ import annotations

from agents.reasoning.judge.criteria import WEIGHTS
from agents.reasoning.judge.feedback import reference_line
from agents.reasoning.judge.moment import STAGES, JudgeMoment, judge_moment, own_response_index, relevant_patterns
from agents.reasoning.judge.offline import judge_reply_offline

__all__ = [
    "STAGES",
    "WEIGHTS",
    "JudgeMoment",
    "judge_moment",
    "judge_reply_offline",
    "own_response_index",
    "reference_line",
    "relevant_patterns",
]
