"""The offline extractor's objections: the buyer's requests and agreements are not objections, an
objection phrased as a condition is one, and an objection's topic is its best match over the
whole line. The figures on the evaluation scripts are in the report (README.md)."""

from __future__ import annotations

import pytest

from agents.reasoning import OfflineReasoner
from agents.reasoning import categories as cat
from agents.reasoning.evaluation_judge_set import REPORTED, TUNING
from agents.reasoning.evaluation_objections import EXTRACTION_SPLITS
from agents.reasoning.extraction import classify_utterances
from agents.scripts import (
    EVAL_REPORTED_SCRIPT_NAMES,
    EVAL_SCRIPT_NAMES,
    EVAL_TUNING_SCRIPT_NAMES,
    EXTRACTION_ONLY_TUNING_SCRIPT_NAMES,
    CallScript,
    ScriptTurn,
    load_script,
    load_scripts,
    transcript_from_script,
)
from agents.types import Transcript

OPENING = (
    ("champion", "Hi Dana, this is Sam from Fleetly. Thanks for taking the time today."),
    ("other", "Hi Sam. I have about twenty minutes."),
    ("champion", "How do your dispatchers plan the routes for your drivers today?"),
    ("other", "They build them by hand in a spreadsheet every morning."),
    ("champion", "Fleetly plans every route in two minutes and cuts fuel costs by about fifteen percent."),
)
CLOSING = (
    ("champion", "Shall we book a demo with your team next Tuesday?"),
    ("other", "Tuesday works for me."),
    ("champion", "Great, I will send the invite today."),
)


def call_with(*exchanges: tuple[str, str]) -> Transcript:
    """A short call whose middle is ``exchanges``: (the buyer's line, the champion's reply)."""
    middle = tuple(turn for line, reply in exchanges for turn in (("other", line), ("champion", reply)))
    turns = tuple(ScriptTurn(speaker, text, None) for speaker, text in OPENING + middle + CLOSING)
    script = CallScript("test_call", "test", "logistics", "Fleetly", "Sam", "Dana", turns)
    return transcript_from_script(script)


def objection_texts(transcript: Transcript) -> list[str]:
    return [p.text for p in OfflineReasoner().extract_patterns(transcript) if p.category == cat.OBJECTION]


@pytest.mark.parametrize(
    "request_line",
    [
        "Can you send me the pricing?",
        "A clear cost comparison would help.",
        "Could you send me a case study from a company like ours?",
    ],
)
def test_a_buyer_request_is_not_an_objection(request_line):
    # "Of course" opens the champion's answer, as it opens answers to concerns too.
    transcript = call_with((request_line, "Of course, I will put it in writing for you today."))

    assert objection_texts(transcript) == []


@pytest.mark.parametrize(
    "agreement",
    [
        "That sounds good.",
        "That sounds good, that would save my team a lot of work.",
        # Naming the price or the incumbent does not make an agreement an objection.
        "That sounds good, and the price seems fair to me.",
        "That sounds good. Our current vendor never offered that.",
    ],
)
def test_a_buyer_agreement_is_not_an_objection(agreement):
    transcript = call_with((agreement, "Great, then let me show you how the first week works."))

    assert objection_texts(transcript) == []


@pytest.mark.parametrize(
    "condition",
    [
        "I would need to run this by our CFO first.",
        "We'd have to see it work with our ERP first.",
        "Unless it integrates with our accounting software, it is a no for us.",
    ],
)
def test_an_objection_phrased_as_a_condition_is_found(condition):
    transcript = call_with((condition, "That makes sense, and here is how we usually handle it."))

    assert objection_texts(transcript) == [condition]


@pytest.mark.parametrize(
    "agreement",
    [
        # An agreement that names the cost, or approves of it, is still agreement.
        "Okay, that makes sense, the cost is reasonable.",
        "Fine, the monthly fee seems fair for what we get.",
    ],
)
def test_an_agreement_naming_the_cost_is_not_an_objection(agreement):
    transcript = call_with((agreement, "I understand, then let me show you how the first week works."))

    assert objection_texts(transcript) == []


@pytest.mark.parametrize(
    "doubt",
    [
        "What happens to our records if your company goes under?",
        "How would I know the numbers it gives us are right?",
        "Can you really promise that kind of saving for a shop like ours?",
    ],
)
def test_a_doubt_asked_as_a_question_is_an_objection(doubt):
    transcript = call_with((doubt, "Good question. Here is how we handle that for every customer."))

    assert objection_texts(transcript) == [doubt]


def test_an_answer_that_still_describes_is_not_an_objection():
    # "still" in the buyer's answer to a question describes; it resists nothing.
    middle = (
        ("champion", "How many people pay for the digital edition today?"),
        ("other", "About four thousand. Print still brings in most of the money."),
        ("champion", "So digital is the part that can grow."),
    )
    turns = tuple(ScriptTurn(speaker, text, None) for speaker, text in OPENING + middle + CLOSING)
    transcript = transcript_from_script(CallScript("test_call", "test", "media", "Fleetly", "Sam", "Dana", turns))

    assert objection_texts(transcript) == []


def test_an_agreement_before_an_objection_stays_out_of_its_quote():
    transcript = call_with(
        ("Fine, offline mode covers most of it. Our security team will want a full review first.", "Understood.")
    )

    assert objection_texts(transcript) == ["Our security team will want a full review first."]


def test_a_request_beside_a_conditional_objection_stays_out_of_its_quote():
    transcript = call_with(
        ("Can you send me the pricing?", "Of course, I will send it today."),
        ("We would have to see it work with our ERP first.", "Understood, we connect to it in a day."),
    )

    assert objection_texts(transcript) == ["We would have to see it work with our ERP first."]


def test_an_incumbent_the_buyer_pays_for_is_a_competitor_objection_in_the_extractor():
    line = "We already pay for a telematics system from our leasing company. Why would we need another tool?"
    transcript = call_with((line, "I understand, many of our customers had one too."))

    topics = {item.objection_topic for item in classify_utterances(transcript) if item.category == cat.OBJECTION}

    assert topics == {"competitor"}


def test_the_extractor_has_its_own_tuning_split_apart_from_the_reported_scripts():
    assert EXTRACTION_SPLITS[REPORTED] == EVAL_REPORTED_SCRIPT_NAMES
    assert set(EXTRACTION_SPLITS[TUNING]) == set(EVAL_TUNING_SCRIPT_NAMES) | set(EXTRACTION_ONLY_TUNING_SCRIPT_NAMES)
    assert set(EXTRACTION_SPLITS[TUNING]).isdisjoint(EVAL_REPORTED_SCRIPT_NAMES)
    assert set(EXTRACTION_ONLY_TUNING_SCRIPT_NAMES).isdisjoint(EVAL_SCRIPT_NAMES)


def test_the_extraction_tuning_scripts_hold_requests_agreements_and_answered_objections():
    scripts = load_scripts(EXTRACTION_ONLY_TUNING_SCRIPT_NAMES)
    industries = {script.industry for script in load_scripts(EVAL_SCRIPT_NAMES)}

    assert len({script.industry for script in scripts}) == len(scripts)
    assert not {script.industry for script in scripts} & industries
    for script in scripts:
        labels = [turn.label for turn in script.turns]
        assert set(labels) - {None} <= set(cat.CATEGORIES), script.name
        assert labels.count(cat.OBJECTION) >= 3, script.name
        assert labels.count(cat.OBJECTION_RESPONSE) == labels.count(cat.OBJECTION), script.name
        assert all(t.speaker == "other" for t in script.turns if t.label == cat.OBJECTION), script.name
        assert sum(t.speaker == "other" and t.label is None for t in script.turns) >= 6, script.name
        assert load_script(script.name) is script
