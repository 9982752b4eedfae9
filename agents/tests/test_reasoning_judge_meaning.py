"""The offline judge judges meaning: the champion's answer passes, nonsense, keyword salad,
off-topic, filler, pushy and dismissive replies fail at every difficulty, and surface moves never
score on their own. Scenes from the labelled scripts shipped with the code (not the judge set's
evaluation scripts, whose figures ``manage.py evaluate_judge`` reports)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from agents.reasoning.evaluation import script_patterns
from agents.reasoning.judge import OFFLINE_JUDGE_VERSION, PASS_MARKS, JudgeMoment, judge_reply_offline, pass_mark
from agents.reasoning.scenarios import recording_objections
from agents.scripts import SCRIPT_NAMES

# The issue's example: sense-free words with the topic's hook and a next step.
NONSENSE = (
    "Purple elephants dance on Tuesday, which means you get 30 percent more bananas. "
    "I hear you about the price. Let's book a call."
)
FILLER = "Great question, let me tell you about our features. We have so many and our customers love them."
PUSHY = "Look, this offer ends today. You need to decide now, so just sign the contract and we are done."
DISMISSIVE = "That is not a real problem. Trust me, nobody else worries about that."
MOVES_ONLY = (
    "I completely understand your concern, that is a fair point. What do you think? Let's book a call next week."
)


@pytest.fixture(scope="module")
def moments():
    """Every objection of the shipped scripts with its playbook: (script, moment, patterns)."""
    result = []
    for name in SCRIPT_NAMES:
        patterns = script_patterns(name)
        for objection in recording_objections(patterns):
            result.append((name, JudgeMoment("objection", objection.text, objection), patterns))
    return result


def _score(reply: str, moment: JudgeMoment, patterns) -> int:
    return judge_reply_offline(reply, moment=moment, patterns=patterns).score


def _first(moments, script: str, index: int = 0):
    return [m for m in moments if m[0] == script][index]


def test_pass_marks_rise_with_difficulty():
    assert PASS_MARKS["easy"] <= PASS_MARKS["medium"] <= PASS_MARKS["hard"]
    assert pass_mark("hard") == PASS_MARKS["hard"]
    assert pass_mark("unknown") == PASS_MARKS["medium"]
    assert OFFLINE_JUDGE_VERSION


def test_the_champions_verbatim_answer_passes_at_hard_on_every_objection(moments):
    for script, moment, patterns in moments:
        answer = moment.objection.champion_response
        assert answer, script
        assert _score(answer, moment, patterns) >= pass_mark("hard"), (script, answer)


def test_the_issues_nonsense_reply_fails_even_at_easy(moments):
    _, moment, patterns = _first(moments, "saas_helpdesk")  # the price objection

    evaluation = judge_reply_offline(NONSENSE, moment=moment, patterns=patterns)

    assert evaluation.score < pass_mark("easy") <= pass_mark("hard")
    assert evaluation.criteria["technique"] < 30


def test_a_keyword_salad_of_the_objection_and_the_judges_favourite_moves_fails(moments):
    for script, moment, patterns in moments:
        words = [w.strip(".,?") for w in moment.objection.text.split() if len(w) > 3][:8]
        salad = f"I understand, {', '.join(words)}. Great question, {' '.join(words[:4])}? Let's book a call next week."
        assert _score(salad, moment, patterns) < pass_mark("easy"), (script, salad)


# The issue's cheats on the champion's own answer: nonsense appended, words interleaved.
APPENDED = "Purple elephants dance on Tuesday, bananas are thirty percent off this week."
INTERLEAVED_WORDS = ("purple", "elephants", "banana", "tuesday", "jelly", "moon")


def test_the_champions_answer_with_nonsense_appended_fails_even_at_easy(moments):
    for script, moment, patterns in moments:
        padded = f"{moment.objection.champion_response} {APPENDED}"

        evaluation = judge_reply_offline(padded, moment=moment, patterns=patterns)

        assert evaluation.score < pass_mark("easy"), (script, padded)
        assert any("makes no sense here" in line for line in evaluation.feedback)


def test_the_champions_answer_with_every_other_sentence_nonsense_fails(moments):
    for script, moment, patterns in moments:
        sentences = moment.objection.champion_response.split(". ")
        mixed = ". ".join(APPENDED.rstrip(".") if i % 2 == 0 else s for i, s in enumerate(sentences))
        assert _score(mixed, moment, patterns) < pass_mark("easy"), (script, mixed)


def test_the_champions_words_interleaved_with_nonsense_words_fail(moments):
    for script, moment, patterns in moments:
        words = moment.objection.champion_response.split()
        mixed = " ".join(
            f"{word} {INTERLEAVED_WORDS[i % len(INTERLEAVED_WORDS)]}" if i % 2 else word for i, word in enumerate(words)
        )
        assert _score(mixed, moment, patterns) < pass_mark("easy"), (script, mixed)


def test_the_champions_answer_with_a_next_step_appended_still_passes_at_hard(moments):
    for script, moment, patterns in moments:
        answer = f"{moment.objection.champion_response} Would it help if we set up a short call next week?"
        assert _score(answer, moment, patterns) >= pass_mark("hard"), (script, answer)


def test_an_answer_to_another_objection_fails(moments):
    for position, (script, moment, patterns) in enumerate(moments):
        _, other, _ = moments[(position + 1) % len(moments)]
        answer = other.objection.champion_response
        assert _score(answer, moment, patterns) < pass_mark("easy"), (script, moment.objection.text, answer)


def test_the_champions_own_words_shuffled_fail(moments):
    for position, (script, moment, patterns) in enumerate(moments):
        words = moment.objection.champion_response.split()
        random.Random(position).shuffle(words)  # seeded: the same shuffle on every run
        shuffled = " ".join(words)
        assert _score(shuffled, moment, patterns) < pass_mark("easy"), (script, shuffled)


def test_repeating_the_objection_back_fails(moments):
    for script, moment, patterns in moments:
        parrot = f"So what you are saying is: {moment.objection.text}"
        assert _score(parrot, moment, patterns) < pass_mark("easy"), (script, parrot)


@pytest.mark.parametrize("reply", [FILLER, PUSHY, DISMISSIVE, MOVES_ONLY])
def test_filler_pressure_brush_offs_and_bare_moves_fail_at_every_difficulty(moments, reply):
    for script, moment, patterns in moments:
        assert _score(reply, moment, patterns) < pass_mark("easy"), (script, reply)


def test_surface_moves_count_only_on_top_of_a_relevant_answer(moments):
    _, moment, patterns = _first(moments, "logistics_routing")

    evaluation = judge_reply_offline(MOVES_ONLY, moment=moment, patterns=patterns)

    # The reply acknowledges, asks and names a next step, but answers nothing: the moves count
    # for almost nothing, and the feedback says why.
    assert evaluation.criteria["acknowledgment"] < 30
    assert evaluation.criteria["discovery"] < 30
    assert any("not about the concern" in line for line in evaluation.feedback)
    assert any("only counts" in line for line in evaluation.feedback)


def test_a_paraphrase_of_the_champions_answer_passes_at_hard(moments):
    _, moment, patterns = _first(moments, "logistics_routing")  # "we already pay for a telematics system"
    paraphrase = (
        "Fair question, a lot of our clients asked the same. RouteWise plugs into the telematics you already "
        "have, so your tracking data stays where it is and you get route planning on top."
    )

    evaluation = judge_reply_offline(paraphrase, moment=moment, patterns=patterns)

    assert evaluation.score >= pass_mark("hard")
    assert evaluation.feedback[0].startswith("At ")
    assert "competitor objection" in evaluation.feedback[0]


def test_the_same_reply_gets_the_same_evaluation_whatever_was_judged_before(moments):
    _, moment, patterns = _first(moments, "insurance_cyber")
    reply = "I understand. Most claims start with a phishing email, so the policy covers the human mistake."

    first = judge_reply_offline(reply, moment=moment, patterns=patterns)
    for other in (NONSENSE, FILLER, PUSHY):
        judge_reply_offline(other, moment=moment, patterns=patterns)
    again = judge_reply_offline(reply, moment=moment, patterns=patterns)

    assert dataclasses.asdict(first) == dataclasses.asdict(again)


def test_an_empty_reply_scores_zero_and_says_so(moments):
    _, moment, patterns = _first(moments, "saas_helpdesk")

    evaluation = judge_reply_offline("   ", moment=moment, patterns=patterns)

    assert evaluation.score == 0
    assert any("empty" in line for line in evaluation.feedback)
