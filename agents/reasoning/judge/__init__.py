"""The offline judge: is this reply as good as what the champion would say here? Deterministic.

A reply earns points only when it is *about* the buyer's concern and makes sense as an answer to
it, measured on meaning (:mod:`.meaning`, :mod:`.scoring`): its similarity to the champion's own
answer at this moment, whole and point by point, and to the buyer's line; how much of it is on
topic; whether its words form sentences; whether it pressures or brushes off the buyer.

Criteria (0-100 each) and their weights (:data:`WEIGHTS`, shared with the Claude coach):

- ``technique`` (0.35): that meaning score: how close the reply is to the champion's answer to
  the objection on the table (their opening or their close at those stages), on the buyer's topic
  and in plain sentences;
- ``acknowledgment`` (0.20): recognising the concern and naming it, instead of brushing it off;
- ``value_next_step`` (0.20): a concrete benefit (the champion's, in other words, counts) and a
  proposed next step;
- ``discovery`` (0.15): an open question that makes the buyer talk;
- ``clarity`` (0.10): a spoken-length answer, short sentences, no fillers.

The four surface moves are measured against the champion's own answer (a reply that makes the
moves the champion made scores fully), then multiplied by a gate that opens only for a relevant
answer: acknowledging, asking or naming a next step never scores on its own. The calibration and
the pass marks per difficulty (:data:`PASS_MARKS`) are fitted on the TUNING split of the labelled
judge set (:mod:`.fit`). The same reply in the same moment always gets the same evaluation; the
evaluation names its judge and :data:`OFFLINE_JUDGE_VERSION` says which version scored it. The
Claude coach shares the moment (:mod:`.moment`), the weights and the quoted reference line
(:mod:`.feedback`) with this judge.
"""

from __future__ import annotations

from agents.reasoning.judge.criteria import WEIGHTS
from agents.reasoning.judge.feedback import reference_line
from agents.reasoning.judge.moment import STAGES, JudgeMoment, judge_moment, own_response_index, relevant_patterns
from agents.reasoning.judge.offline import judge_reply_offline
from agents.reasoning.judge.scoring import CALIBRATION, PASS_MARKS, pass_mark
from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION

__all__ = [
    "CALIBRATION",
    "OFFLINE_JUDGE_VERSION",
    "PASS_MARKS",
    "STAGES",
    "WEIGHTS",
    "JudgeMoment",
    "judge_moment",
    "judge_reply_offline",
    "own_response_index",
    "pass_mark",
    "reference_line",
    "relevant_patterns",
]
