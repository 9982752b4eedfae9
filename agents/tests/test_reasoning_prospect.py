"""The offline prospect walks through the scenario's objections and ends won or lost."""

from __future__ import annotations

import pytest

from agents.reasoning.judge import judge_moment, judge_reply_offline
from agents.reasoning.prospect import MAX_WEAK_STREAK, prospect_opening, prospect_reply
from agents.testing import fixtures
from agents.types import ScenarioSpec


@pytest.fixture(scope="module")
def hard_scenario_and_patterns() -> tuple[ScenarioSpec, list]:
    return fixtures.hard_scenario_and_patterns("logistics_routing")


GOOD_REPLIES = [
    "Good point, many customers already had telematics. We connect to your existing system and add route "
    "planning on top, which cut fuel costs twelve percent for distributors like you. Which provider do you use?",
    "I hear you on budget. Most customers pay for it from fuel savings within four months, and we can start "
    "with one warehouse so the first invoice fits this year. Would that work?",
    "That is a real risk, and we plan for it. Our team trains every driver on site and the app has three "
    "buttons. What do your drivers use on their phones today?",
    "Would you be open to a four week pilot at your largest warehouse next month? I can send the plan by Friday.",
]


def _converse(scenario, patterns, replies):
    turn = prospect_opening(scenario)
    lines = [turn.text]
    for index, reply in enumerate(replies):
        evaluation = judge_reply_offline(reply, moment=judge_moment(scenario, turn.stage, turn.text), patterns=patterns)
        turn = prospect_reply(
            scenario, stage=turn.stage, weak_streak=turn.weak_streak, evaluation=evaluation, turn_index=index + 1
        )
        lines.append(turn.text)
        if turn.outcome:
            break
    return turn, lines


def test_good_replies_move_through_the_real_objections_in_order_and_win(hard_scenario_and_patterns):
    scenario, patterns = hard_scenario_and_patterns

    turn, lines = _converse(scenario, patterns, GOOD_REPLIES)

    assert lines[0].endswith(scenario.objections[0].text)
    assert scenario.objections[1].text in lines[1]
    assert scenario.objections[2].text in lines[2]
    assert "next step" in lines[3] or "next" in lines[3]
    assert turn.outcome == "won"
    assert turn.stage == len(scenario.objections)


def test_a_weak_reply_gets_a_push_back_then_an_escalation_then_the_call_is_lost(hard_scenario_and_patterns):
    scenario, patterns = hard_scenario_and_patterns

    turn, lines = _converse(scenario, patterns, ["Whatever.", "Just trust me.", "Okay."])

    assert lines[1] != lines[0]
    assert scenario.objections[0].text not in lines[1]  # a push-back, not the next objection
    assert scenario.objections[0].text in lines[2]  # the escalation repeats the concern
    assert turn.outcome == "lost"
    assert turn.weak_streak == MAX_WEAK_STREAK
    assert turn.stage == 0


def test_a_weak_reply_then_a_good_one_recovers(hard_scenario_and_patterns):
    scenario, patterns = hard_scenario_and_patterns

    turn, lines = _converse(scenario, patterns, ["No.", GOOD_REPLIES[0]])

    assert turn.stage == 1
    assert turn.weak_streak == 0
    assert turn.moved_on
    assert scenario.objections[1].text in lines[-1]


def test_the_same_conversation_gives_the_same_lines(hard_scenario_and_patterns):
    scenario, patterns = hard_scenario_and_patterns

    assert _converse(scenario, patterns, GOOD_REPLIES[:2])[1] == _converse(scenario, patterns, GOOD_REPLIES[:2])[1]
