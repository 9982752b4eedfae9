"""Near-duplicate patterns merge, keeping every time they were said (issue 13); different moves,
even worded alike, stay apart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agents.providers.embeddings import get_embedder
from agents.reasoning import categories as cat
from agents.reasoning.extraction import extract_patterns_offline
from agents.reasoning.extraction.merge import merge_near_duplicates, normalized_text
from agents.scripts import load_script, transcript_from_script
from agents.types import Pattern

SCRIPT = "saas_helpdesk"
# Where a move is in the call decides these categories (an opener is in the first minute, a
# closing at the end): a looped call has its openers once and a closing per loop's end.
PLACED_BY_POSITION = {cat.OPENER, cat.CLOSING}


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


@pytest.fixture(scope="module")
def once(embedder) -> list[Pattern]:
    return extract_patterns_offline(transcript_from_script(load_script(SCRIPT)), embedder=embedder)


def reheard(pattern: Pattern, loop: int, offset: float) -> Pattern:
    """The pattern said again ``offset`` seconds later, as speech recognition writes it that
    time: in lower case without its punctuation (loop 1) or with a hesitation (loop 2)."""
    text = pattern.text.lower().replace(",", "").replace(".", "") if loop == 1 else f"Um, {pattern.text}"
    return replace(pattern, text=text, start=pattern.start + offset, end=pattern.end + offset)


def pattern(text: str, *, category: str = cat.OBJECTION, start: float = 0.0, speaker: str = "other", **fields):
    return Pattern(category=category, text=text, start=start, end=start + 3, speaker=speaker, **fields)


def test_a_script_looped_three_times_gives_the_patterns_of_the_script_once_each_three_times(once, embedder):
    duration = max(p.end for p in once) + 1.0
    looped = [reheard(p, loop, loop * duration) if loop else p for loop in range(3) for p in once]
    single = merge_near_duplicates(once, embedder=embedder)
    merged = merge_near_duplicates(looped, embedder=embedder)
    assert len(looped) == 3 * len(once)
    assert [(p.category, p.text) for p in merged] == [(p.category, p.text) for p in single]
    for pattern_once, pattern_looped in zip(single, merged, strict=True):
        assert len(pattern_looped.occurrences) == 3 * len(pattern_once.occurrences)
        starts = [occurrence["start"] for occurrence in pattern_looped.occurrences]
        assert starts == sorted(starts) and starts[0] == pattern_looped.start


def test_a_looped_transcript_lists_each_move_once_with_every_occurrence(once, embedder):
    script = load_script(SCRIPT)
    transcript = transcript_from_script(replace(script, turns=script.turns * 3))
    extracted = extract_patterns_offline(transcript, embedder=embedder)
    merged = merge_near_duplicates(extracted, embedder=embedder)
    assert len(extracted) > 2.5 * len(once)  # what the playbook listed before the merge
    assert len(merged) <= len(once) + 3
    by_move = {(p.category, normalized_text(p.text)): p for p in merged}
    for move in once:
        if move.category not in PLACED_BY_POSITION:
            assert len(by_move[(move.category, normalized_text(move.text))].occurrences) == 3, move.text
    assert len({(p.category, p.speaker, normalized_text(p.text)) for p in merged}) == len(merged)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("I am worried the price is too high for us.", "I am worried the setup is too long for us."),
        (
            "We already pay for a telematics system, I do not see why we need another one.",
            "We already pay for a routing consultant, I do not see why we need another one.",
        ),
        ("I would need to run this by our finance director first.", "I would need to run this by our IT team first."),
    ],
)
def test_two_different_objections_with_shared_words_stay_apart(first, second, embedder):
    merged = merge_near_duplicates([pattern(first), pattern(second, start=60)], embedder=embedder)
    assert [p.text for p in merged] == [first, second]
    assert all(len(p.occurrences) == 1 for p in merged)


def test_a_paraphrase_is_a_phrasing_of_its_own(embedder):
    answer = "Email reminders are easy to ignore, while our texts let patients confirm with one tap."
    paraphrase = "People rarely open a reminder email, but they read a text and confirm in one tap."
    merged = merge_near_duplicates(
        [pattern(answer, category=cat.VALUE_STATEMENT), pattern(paraphrase, category=cat.VALUE_STATEMENT, start=90)],
        embedder=embedder,
    )
    assert len(merged) == 2


def test_a_misheard_word_still_merges_and_keeps_both_times(embedder):
    heard = [
        pattern("How many agents are on your support team today?", category=cat.DISCOVERY_QUESTION, speaker="champion"),
        pattern(
            "How many agents are in your support team today?",
            category=cat.DISCOVERY_QUESTION,
            speaker="champion",
            start=300,
        ),
    ]
    [merged] = merge_near_duplicates(heard, embedder=embedder)
    assert merged.text == heard[0].text
    assert merged.occurrences == [{"start": 0.0, "end": 3.0}, {"start": 300.0, "end": 303.0}]


def test_the_same_words_of_another_category_or_speaker_stay_apart():
    text = "That makes sense."
    merged = merge_near_duplicates(
        [
            pattern(text, category=cat.KEY_PHRASE, speaker="champion"),
            pattern(text, category=cat.KEY_PHRASE, speaker="other", start=10),
            pattern(text, category=cat.OBJECTION_RESPONSE, speaker="champion", start=20, responds_to="Too dear."),
        ]
    )
    assert len(merged) == 3


def test_responses_to_a_merged_objection_answer_the_kept_one():
    objection = "The price is a lot higher than what we pay today."
    response = "I understand, price matters."
    merged = merge_near_duplicates(
        [
            pattern(objection),
            pattern(response, category=cat.OBJECTION_RESPONSE, speaker="champion", start=5, responds_to=objection),
            pattern(objection.upper(), start=100),
            pattern(
                response, category=cat.OBJECTION_RESPONSE, speaker="champion", start=105, responds_to=objection.upper()
            ),
        ]
    )
    assert [(p.category, len(p.occurrences)) for p in merged] == [(cat.OBJECTION, 2), (cat.OBJECTION_RESPONSE, 2)]
    assert merged[1].responds_to == objection


def test_without_an_embedder_only_the_same_words_merge():
    merged = merge_near_duplicates(
        [
            pattern("Too expensive, honestly."),
            pattern("too expensive honestly", start=50),
            pattern("Too costly.", start=90),
        ]
    )
    assert [len(p.occurrences) for p in merged] == [2, 1]
    assert merge_near_duplicates([]) == []


def test_the_input_is_left_as_it_was():
    patterns = [pattern("Too expensive."), pattern("Too expensive.", start=50)]
    merge_near_duplicates(patterns)
    assert [p.occurrences for p in patterns] == [[], []]
