"""The offline prospect listens: it answers the rep's questions from the buyer's side of the
champion's call, presses a concern named but not answered, answers a proposed next step by
name, and says the same line for the same state and reply.

The evaluations are made with a chosen score around the scenario's pass mark, so that these
tests hold whatever the judge would score the replies (the judge has its own tests)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from agents.reasoning.listening import moves
from agents.reasoning.listening.concern import concern_clause
from agents.reasoning.listening.vectors import MemoEmbedder
from agents.reasoning.prospect import MAX_WEAK_STREAK, pass_score, prospect_move, prospect_reply
from agents.testing.prospect import scenario_and_buyer_turns, scored

ROUTES_ANSWER = "They build the routes by hand in spreadsheets. It takes about two hours before the first truck leaves."


@pytest.fixture(scope="module")
def call():
    """The logistics call: its hard scenario (three objections, the first about the telematics
    system they already pay for) and the buyer's lines."""
    return scenario_and_buyer_turns("logistics_routing")


def move_after(call, reply: str, *, passed: bool, stage: int = 0, weak_streak: int = 0, scenario=None):
    default_scenario, turns = call
    scenario = scenario or default_scenario
    score = pass_score(scenario) + 10 if passed else pass_score(scenario) - 30
    return prospect_move(
        scenario,
        stage=stage,
        weak_streak=weak_streak,
        evaluation=scored(score),
        turn_index=2 * stage + 1,
        reply=reply,
        buyer_turns=turns,
    )


class TestQuestions:
    def test_a_question_is_answered_from_the_buyers_turns_of_the_call(self, call):
        scenario, _ = call

        move = move_after(call, "How do you plan routes today?", passed=False)

        assert move.kind == moves.ANSWER_HOLD
        assert move.turn.text.startswith(ROUTES_ANSWER)
        # The concern stays on the table, named, and asking a question is not a miss.
        assert concern_clause(scenario.objections[0].text) in move.turn.text
        assert (move.turn.stage, move.turn.weak_streak, move.turn.outcome) == (0, 0, None)

    @pytest.mark.parametrize(
        ("question", "answer"),
        [
            ("How many trucks do you run?", "We run forty trucks across three warehouses"),
            ("What does a late delivery cost you?", "We lost two big accounts last quarter"),
        ],
    )
    def test_other_questions_get_the_buyers_own_answers(self, call, question, answer):
        move = move_after(call, f"I see. {question}", passed=False)

        assert move.kind == moves.ANSWER_HOLD
        assert answer in move.turn.text

    def test_a_question_the_call_does_not_answer_is_answered_from_the_scenario(self, call):
        move = move_after(call, "What is your role at the company?", passed=False)

        assert move.kind == moves.ANSWER_HOLD
        assert move.turn.text.startswith("I'm the head of dispatch of a logistics company.")

    def test_a_good_answer_that_asks_a_question_gets_the_answer_before_the_next_objection(self, call):
        scenario, _ = call

        move = move_after(call, "Fair point, we connect to your telematics. How do you plan routes today?", passed=True)

        assert move.kind == moves.ADVANCE
        assert move.turn.text.startswith(ROUTES_ANSWER)
        assert move.turn.text.endswith(scenario.objections[1].text)
        assert (move.turn.stage, move.turn.weak_streak, move.turn.moved_on) == (1, 0, True)

    def test_a_question_about_nothing_of_the_buyers_is_a_miss(self, call):
        move = move_after(call, "Purple elephants dance on Tuesday, right?", passed=False)

        assert move.kind == moves.PUSH_BACK
        assert move.turn.weak_streak == 1

    def test_the_buyer_never_answers_with_an_objection_of_the_scenario_before_its_turn(self, call):
        scenario, _ = call

        move = move_after(call, "How do your drivers feel about new apps?", passed=False)

        later = [o.text for o in scenario.objections[1:]]
        assert not any(sentence in move.turn.text for objection in later for sentence in objection.split(". "))


class TestConcerns:
    def test_an_unanswered_concern_is_pressed(self, call):
        scenario, _ = call
        concern = concern_clause(scenario.objections[0].text)
        assert concern == "I do not see why we would need another tool."

        move = move_after(
            call, "I hear you, you already have a telematics system and do not want another tool.", passed=False
        )

        assert move.kind == moves.PRESS
        assert concern in move.turn.text
        assert (move.turn.stage, move.turn.weak_streak) == (0, 1)

    def test_a_reply_that_ignores_the_concern_gets_a_push_back_naming_it_not_a_topic(self, call):
        scenario, _ = call

        move = move_after(call, "Our company was founded in two thousand and nine.", passed=False)

        assert move.kind == moves.PUSH_BACK
        assert concern_clause(scenario.objections[0].text) in move.turn.text
        # The concern raised is the incumbent tool, though the objection says "pay".
        assert not re.search(r"\b(?:price|cost|budget)\b", move.turn.text.lower())

    def test_a_second_miss_restates_the_whole_objection_and_a_third_loses_the_call(self, call):
        scenario, _ = call

        second = move_after(call, "Our company was founded in two thousand and nine.", passed=False, weak_streak=1)
        third = move_after(call, "Anyway.", passed=False, weak_streak=MAX_WEAK_STREAK - 1)

        assert second.kind == moves.ESCALATE and second.turn.text.endswith(scenario.objections[0].text)
        assert (third.kind, third.turn.outcome) == (moves.LOST, "lost")

    def test_a_concern_stated_after_but_is_the_part_pushed_back_on(self):
        objection = "That sounds good, but honestly the price you sent over is a lot higher than what we pay."

        assert concern_clause(objection) == "The price you sent over is a lot higher than what we pay."


class TestNextSteps:
    PILOT = "Would you be open to a four week pilot at your largest warehouse, starting next month?"

    def closing(self, call):
        return len(call[0].objections)

    def test_a_named_next_step_at_the_close_is_accepted_by_name(self, call):
        move = move_after(call, self.PILOT, passed=True, stage=self.closing(call))

        assert move.kind == moves.ACCEPT
        assert "four week pilot" in move.turn.text.lower()
        assert (move.turn.outcome, move.turn.moved_on) == ("won", True)

    def test_a_named_next_step_after_a_weak_close_is_countered_by_name(self, call):
        stage = self.closing(call)

        move = move_after(call, self.PILOT, passed=False, stage=stage)

        assert move.kind == moves.COUNTER_STEP
        assert "four week pilot" in move.turn.text.lower()
        assert (move.turn.stage, move.turn.weak_streak, move.turn.outcome) == (stage, 1, None)

    def test_a_skeptical_buyer_asks_when_and_what_before_agreeing_an_easy_one_agrees(self, call):
        hard, _ = call
        easy = dataclasses.replace(hard, difficulty="easy")
        vague = "Shall we set up a pilot?"

        hard_move = move_after(call, vague, passed=True, stage=self.closing(call))
        easy_move = move_after(call, vague, passed=True, stage=self.closing(call), scenario=easy)

        assert hard_move.kind == moves.CLARIFY_STEP and hard_move.turn.outcome is None
        assert "pilot" in hard_move.turn.text and "when" in hard_move.turn.text.lower()
        assert easy_move.kind == moves.ACCEPT and easy_move.turn.outcome == "won"

    def test_a_next_step_before_the_concern_is_answered_is_put_off(self, call):
        scenario, _ = call

        move = move_after(call, "Let's just book a demo on Friday.", passed=False)

        assert move.kind == moves.EARLY_STEP
        assert "demo" in move.turn.text
        assert concern_clause(scenario.objections[0].text) in move.turn.text
        assert (move.turn.stage, move.turn.weak_streak) == (0, 1)

    def test_a_close_without_a_next_step_is_asked_for_one(self, call):
        stage = self.closing(call)

        move = move_after(call, "I am glad we covered your concerns today.", passed=True, stage=stage)

        assert move.kind == moves.ASK_STEP
        assert (move.turn.stage, move.turn.outcome) == (stage, None)


class TestSameLines:
    def test_the_same_state_and_reply_give_the_same_line(self, call):
        scenario, turns = call
        args = {"stage": 0, "weak_streak": 1, "evaluation": scored(20), "turn_index": 3, "buyer_turns": turns}

        first = prospect_reply(scenario, reply="How do you plan routes today?", embedder=MemoEmbedder(), **args)
        again = prospect_reply(scenario, reply="How do you plan routes today?", embedder=MemoEmbedder(), **args)

        assert first == again

    def test_no_line_of_a_conversation_is_a_stage_direction_or_the_sellers(self, call):
        scenario, _ = call
        replies = [
            ("How do you plan routes today?", False),
            ("I hear your concern about another tool.", False),
            ("We connect to your telematics, so you keep your data and add planning on top.", True),
            ("Let's book a demo.", False),
            ("Most customers pay for it from fuel savings within four months.", True),
            ("What do your drivers use today?", False),
            ("Our team trains every driver on site, and the app has three buttons.", True),
            ("Would you be open to a four week pilot next month?", True),
        ]
        stage = weak = 0
        for reply, passed in replies:
            move = move_after(call, reply, passed=passed, stage=stage, weak_streak=weak)
            stage, weak = move.turn.stage, move.turn.weak_streak
            assert not re.search(r"[\[\]()*]|^\w+:", move.turn.text), move.turn.text
            assert not re.search(r"\b(?:routewise|we offer|our product|our customers)\b", move.turn.text.lower())
        assert move.turn.outcome == "won"
