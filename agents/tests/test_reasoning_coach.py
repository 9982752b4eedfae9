"""The offline coach: the offline judge and prospect behind the coach interface. (Claude behind it,
and get_coach choosing between them: test_reasoning_anthropic_coach.py.)"""

from __future__ import annotations

import pytest

from agents.reasoning.coach import Coach, OfflineCoach
from agents.reasoning.judge import judge_reply_offline
from agents.reasoning.prospect import prospect_opening, prospect_reply
from agents.types import ReplyEvaluation

REPLY = "I understand the price concern. What does a lost customer cost you today?"
BUYER_LINES = [
    "We looked at this last year and the numbers did not add up.",
    "Honestly, my team is tired of new tools.",
]


@pytest.fixture(scope="module")
def offline_evaluation(playbook, first_objection_moment, vectors) -> ReplyEvaluation:
    _, patterns = playbook
    return judge_reply_offline(REPLY, moment=first_objection_moment, patterns=patterns, pattern_vectors=vectors)


def test_offline_coach_is_the_offline_judge_and_prospect(playbook, first_objection_moment, vectors, offline_evaluation):
    scenario, patterns = playbook
    coach = OfflineCoach()

    evaluation = coach.judge(REPLY, moment=first_objection_moment, patterns=patterns, pattern_vectors=vectors)
    turn = coach.respond(scenario, stage=0, weak_streak=0, evaluation=evaluation, turn_index=1, buyer_lines=BUYER_LINES)

    assert isinstance(coach, Coach)
    assert coach.name == "offline"
    assert coach.opening(scenario) == prospect_opening(scenario)
    assert evaluation == offline_evaluation
    assert evaluation.judge == "offline"
    assert turn == prospect_reply(scenario, stage=0, weak_streak=0, evaluation=evaluation, turn_index=1)
