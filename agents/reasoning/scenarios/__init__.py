"""Offline practice scenarios, drawn from the champion's own call.

The objections of every scenario are the buyer's real objections from the recording, in the order
they were raised, each with the champion's answer attached (the training judge scores a rep
against it). Persona, context and goal come from what the call says (:mod:`.call_facts`): the
buyer's role, the industry's vocabulary, the seller's company, the buyer's pains and the
champion's closing ask. Difficulties differ by how much of the call the rep must get through
(:mod:`.offline`):

- easy: the first objection, with a cooperative buyer;
- medium: the first two objections in order (all of them when there are two or fewer), with a
  busy buyer;
- hard: every objection in order, with a skeptical buyer who pushes back before giving ground.
"""

from __future__ import annotations

from agents.reasoning.scenarios.call_facts import (
    INDUSTRY_KEYWORDS,
    detect_buyer_role,
    detect_industry,
    recording_objections,
)
from agents.reasoning.scenarios.offline import generate_scenarios_offline

__all__ = [
    "INDUSTRY_KEYWORDS",
    "detect_buyer_role",
    "detect_industry",
    "generate_scenarios_offline",
    "recording_objections",
]
