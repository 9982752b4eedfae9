"""The Claude coach: Claude plays the prospect and judges the rep's replies.

What stays in our code, so that both engines behave the same where it matters:

- **The conversation's state machine.** Whether the prospect moves to the next objection,
  answers the rep's question, presses, pushes back, escalates, wins or loses follows from the
  judge's score (``prospect.pass_score``) and the reply's words exactly as offline (we run
  ``prospect_move`` and keep its state). Claude only writes the line, told what the line must do
  (:mod:`.moves`) and given the buyer's lines of the call nearest to the rep's message to answer
  from; its own view of whether the concern was handled is asked for (it makes the model read
  the reply before it writes) and logged when it disagrees with the judge, never used to steer.
- **The judge's arithmetic and the reference.** Claude scores the offline judge's criteria,
  writes feedback and picks the champion phrase by its index among the patterns we show; the
  total uses the offline weights, and the phrase's text and timestamps come from the recording.

Every call is forced through one tool whose JSON schema describes the answer (:mod:`.tools`;
see ``anthropic_reasoner`` for why there is no ``temperature``). An answer that does not
validate (:mod:`.answers`) is asked for once more. When Claude still cannot answer (malformed
twice, a 429/5xx/timeout after the SDK's own retries, or a rejected request) the offline engine
answers instead (:mod:`.engine`): a rep never loses a reply, and the evaluation's ``judge`` says
which engine scored it. The prompts are in :mod:`.prompts`.
"""

from __future__ import annotations

from agents.reasoning.anthropic_coach.engine import AnthropicCoach, anthropic_coach
from agents.reasoning.anthropic_coach.tools import OPENING_TOOL, PROSPECT_TOOL, judge_tool

__all__ = ["OPENING_TOOL", "PROSPECT_TOOL", "AnthropicCoach", "anthropic_coach", "judge_tool"]
