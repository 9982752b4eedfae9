"""The offline pattern extractor on the labelled scripts: accuracy bounds, timings, determinism."""

from __future__ import annotations

import dataclasses
import re

import pytest

from agents.reasoning import OfflineReasoner
from agents.reasoning.evaluation import evaluate_extractor
from agents.scripts import SCRIPT_NAMES, load_script, transcript_from_script
from agents.types import Transcript


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_extractor()


def test_extractor_gets_at_least_80_percent_of_labelled_segments_right(evaluation):
    assert evaluation.labelled_segments >= 40
    assert evaluation.labelled_accuracy >= 0.8
    assert evaluation.overall_accuracy >= 0.8


def test_extractor_is_accurate_on_every_script_and_every_category(evaluation):
    for name in SCRIPT_NAMES:
        assert evaluation.per_script[name] >= 0.8, name
    for category, accuracy in evaluation.per_category.items():
        assert accuracy >= 0.7, category


def test_extractor_survives_a_recogniser_that_drops_punctuation():
    # Speech recognisers may return no punctuation at all: pauses and wording must carry it.
    script = load_script("logistics_routing")
    transcript = transcript_from_script(script)
    for segment in transcript.segments:
        segment.words = [dataclasses.replace(w, text=re.sub(r"[.?!,]", "", w.text)) for w in segment.words]
    categories = {p.category for p in OfflineReasoner().extract_patterns(transcript)}

    assert {"opener", "discovery_question", "objection", "objection_response", "closing"} <= categories


def test_same_transcript_gives_the_same_playbook():
    transcript = transcript_from_script(load_script("insurance_cyber"))
    first = OfflineReasoner().extract_patterns(transcript)
    second = OfflineReasoner().extract_patterns(transcript_from_script(load_script("insurance_cyber")))

    assert [dataclasses.asdict(p) for p in first] == [dataclasses.asdict(p) for p in second]


def test_patterns_are_located_on_the_words_of_the_recording():
    transcript = transcript_from_script(load_script("saas_helpdesk"))
    patterns = OfflineReasoner().extract_patterns(transcript)
    word_starts = {w.start for s in transcript.segments for w in s.words}
    word_ends = {w.end for s in transcript.segments for w in s.words}

    assert patterns
    for pattern in patterns:
        assert pattern.start in word_starts
        assert pattern.end in word_ends
        assert pattern.start < pattern.end
        assert 0.0 < pattern.confidence <= 1.0
        segment = next(s for s in transcript.segments if s.start <= pattern.start <= s.end)
        assert pattern.speaker == segment.speaker
        assert pattern.text.split()[0] in segment.text
    assert [p.start for p in patterns] == sorted(p.start for p in patterns)


def test_objections_are_the_buyers_and_responses_answer_the_objection_before_them():
    transcript = transcript_from_script(load_script("logistics_routing"))
    patterns = OfflineReasoner().extract_patterns(transcript)
    objections = [p for p in patterns if p.category == "objection"]
    responses = [p for p in patterns if p.category == "objection_response"]

    assert len(objections) == 3
    assert all(p.speaker == "other" for p in objections)
    assert len(responses) == 3
    for response in responses:
        assert response.speaker == "champion"
        answered = next(o for o in objections if o.text == response.responds_to)
        assert answered.end <= response.start
    assert "telematics" in objections[0].text
    assert "budget" in objections[1].text


def test_opening_and_closing_are_found_at_the_ends_of_the_call():
    transcript = transcript_from_script(load_script("saas_helpdesk"))
    patterns = OfflineReasoner().extract_patterns(transcript)
    openers = [p for p in patterns if p.category == "opener"]
    closings = [p for p in patterns if p.category == "closing"]

    assert openers
    assert closings
    assert max(p.end for p in openers) < 0.25 * transcript.duration
    assert min(p.start for p in closings) > 0.75 * transcript.duration


def test_an_empty_transcript_has_no_patterns():
    assert OfflineReasoner().extract_patterns(Transcript(text="", language="en", duration=0.0)) == []
