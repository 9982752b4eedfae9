"""Offline scenarios come from the recording."""

from __future__ import annotations

import dataclasses

import pytest

from agents.reasoning import OfflineReasoner
from agents.scripts import load_script, transcript_from_script
from agents.testing.fixtures import call_metrics_with
from agents.types import Pattern, Transcript


@pytest.fixture(scope="module")
def analysed_call():
    transcript = transcript_from_script(load_script("insurance_cyber"))
    reasoner = OfflineReasoner()
    patterns = reasoner.extract_patterns(transcript)
    scenarios = reasoner.generate_scenarios(patterns, transcript, call_metrics_with(transcript.duration))
    return transcript, patterns, scenarios


def test_scenarios_cover_each_difficulty_with_the_recordings_objections_in_order(analysed_call):
    transcript, patterns, scenarios = analysed_call
    recorded = [p for p in patterns if p.category == "objection"]

    assert [s.difficulty for s in scenarios] == ["easy", "medium", "hard"]
    by_difficulty = {s.difficulty: s for s in scenarios}
    assert [o.text for o in by_difficulty["hard"].objections] == [p.text for p in recorded]
    assert [o.text for o in by_difficulty["easy"].objections] == [recorded[0].text]
    assert len(by_difficulty["medium"].objections) == 2
    for scenario in scenarios:
        starts = [o.start for o in scenario.objections]
        assert starts == sorted(starts)
        for objection in scenario.objections:
            assert objection.text in transcript.text
            assert objection.champion_response
            assert objection.champion_response in transcript.text
            assert objection.start < transcript.duration


def test_scenario_persona_context_and_goal_come_from_the_call(analysed_call):
    _transcript, _patterns, scenarios = analysed_call
    hard = scenarios[-1]

    assert "Harbor Mutual" in hard.context
    assert "skeptical" in hard.persona
    assert "price" in hard.goal
    assert "Shall we schedule that meeting" in hard.goal  # the champion's own closing ask
    assert hard.title


def test_scenarios_are_deterministic(analysed_call):
    transcript, patterns, scenarios = analysed_call
    again = OfflineReasoner().generate_scenarios(patterns, transcript, call_metrics_with(transcript.duration))

    assert [dataclasses.asdict(s) for s in again] == [dataclasses.asdict(s) for s in scenarios]


def test_a_call_without_objections_gives_one_discovery_scenario():
    patterns = [Pattern(category="discovery_question", text="How do you plan routes?", start=3.0, end=5.0)]
    transcript = Transcript(text="How do you plan routes?", language="en", duration=10.0)

    scenarios = OfflineReasoner().generate_scenarios(patterns, transcript, call_metrics_with(10.0))

    assert len(scenarios) == 1
    assert scenarios[0].objections == []
    assert scenarios[0].difficulty == "easy"


@pytest.mark.parametrize(
    ("duration", "questions", "said"),
    [(45.0, 1, "asked 1 question in 45 seconds"), (600.0, 6, "asked 6 questions in 10 minutes")],
)
def test_the_context_states_the_calls_length_as_it_was(duration, questions, said):
    patterns = [Pattern(category="discovery_question", text="How do you plan routes?", start=3.0, end=5.0)]
    transcript = Transcript(text="How do you plan routes?", language="en", duration=duration)

    (scenario,) = OfflineReasoner().generate_scenarios(
        patterns, transcript, call_metrics_with(duration, question_count=questions)
    )

    assert said in scenario.context


# Four objections whose topics a first-keyword rule gets wrong: the incumbent the buyer "pays for"
# is a competitor objection, not a price one.
TOPICAL_OBJECTIONS = (
    ("We already pay for a telematics system from our leasing company. Why would we need another tool?", "competitor"),
    ("Even so, our budget for this year is already spent.", "price"),
    ("We are heading into our busy season, so this is a bad time for us.", "timing"),
    ("I cannot sign off on this alone, our board has to approve it.", "authority"),
)


def test_scenario_titles_name_the_topics_of_the_objections_they_hold():
    from agents.reasoning.categories.topics import TOPICS
    from agents.reasoning.scenarios import generate_scenarios_offline
    from agents.reasoning.scenarios.offline import objection_topic_names

    patterns: list[Pattern] = []
    for index, (line, _topic) in enumerate(TOPICAL_OBJECTIONS):
        start = 60.0 * (index + 1)
        patterns.append(Pattern(category="objection", text=line, start=start, end=start + 5, speaker="other"))
        patterns.append(
            Pattern(
                category="objection_response",
                text=f"I understand, here is how we handle that ({index}).",
                start=start + 6,
                end=start + 12,
                speaker="champion",
                responds_to=line,
            )
        )
    transcript = transcript_from_script(load_script("logistics_routing"))
    scenarios = generate_scenarios_offline(patterns, transcript, call_metrics_with(transcript.duration))
    by_difficulty = {s.difficulty: s for s in scenarios}

    assert by_difficulty["easy"].title.startswith("Competitor objection from the ")
    assert by_difficulty["medium"].title.startswith("2 objections from the ")
    assert by_difficulty["medium"].title.endswith(": competitor and price objections (medium)")
    assert by_difficulty["hard"].title.startswith("4 objections from the ")
    assert by_difficulty["hard"].title.endswith(": competitor, price, timing and authority objections (hard)")
    for scenario in scenarios:
        named = set(objection_topic_names(scenario.objections))
        assert named == {topic for line, topic in TOPICAL_OBJECTIONS if line in {o.text for o in scenario.objections}}
        topics_part = scenario.title.split(" from the ")[0] + scenario.title.split(":")[-1]
        assert {t for t in (*TOPICS, "concern") if t in topics_part.lower()} == named, scenario.title


def test_the_buyer_line_the_context_quotes_is_cleaned_of_hesitations_and_sound_tags():
    segment = dataclasses.replace(
        transcript_from_script(load_script("logistics_routing")).segments[3],
        text="um, they build the the routes by hand [Music] and uh it takes two hours",
    )
    transcript = Transcript(text=segment.text, language="en", duration=60.0, segments=[segment])
    assert segment.speaker == "other"

    (scenario,) = OfflineReasoner().generate_scenarios([], transcript, call_metrics_with(60.0))

    assert 'the buyer said: "They build the routes by hand and it takes two hours."' in scenario.context
