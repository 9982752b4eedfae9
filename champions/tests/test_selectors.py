"""The champions' reads: scoped lists, the detail queryset, scenarios, and the patterns and
playbook the engines take."""

from __future__ import annotations

import numpy as np
import pytest

from agents.types import Pattern
from champions.models import ChampionPattern
from champions.selectors import (
    champion_detail,
    champion_list,
    champion_patterns,
    champion_playbook,
    scenarios_of_ready_champion,
)
from champions.tests.factories import (
    ChampionFactory,
    EmbeddedPatternFactory,
    PatternFactory,
    ReadyChampionFactory,
    ScenarioFactory,
    unit_vector,
)
from core.errors import Conflict, NotFound

pytestmark = pytest.mark.django_db


def test_the_list_is_the_owners_newest_first_with_their_counts(user):
    older, newer = ChampionFactory(owner=user), ReadyChampionFactory(owner=user)
    PatternFactory.create_batch(3, champion=newer)
    ScenarioFactory(champion=newer)
    ChampionFactory()  # someone else's
    listed = list(champion_list(user=user))
    assert [c.pk for c in listed] == [newer.pk, older.pk]
    assert (listed[0].pattern_count, listed[0].scenario_count) == (3, 1)
    assert (listed[1].pattern_count, listed[1].scenario_count) == (0, 0)


def test_the_detail_queryset_is_scoped_and_prefetches_ordered_results(user, django_assert_num_queries):
    champion = ReadyChampionFactory(owner=user)
    patterns, scenarios = {}, {}
    for position in (2, 0, 1):
        patterns[position] = PatternFactory(champion=champion, position=position).pk
        scenarios[position] = ScenarioFactory(champion=champion, position=position).pk
    for who, champion_id in ((ChampionFactory().owner, champion.pk), (user, 10**12)):
        with pytest.raises(NotFound):
            champion_detail(user=who, champion_id=champion_id)
    with django_assert_num_queries(3):  # champion, patterns, scenarios (a personal one: no team read)
        detail = champion_detail(user=user, champion_id=champion.pk)
        assert [p.pk for p in detail.shown_patterns] == [patterns[0], patterns[1], patterns[2]]
        assert [s.pk for s in detail.scenario_rows] == [scenarios[0], scenarios[1], scenarios[2]]


def test_scenarios_are_a_conflict_until_the_champion_is_ready():
    with pytest.raises(Conflict):
        scenarios_of_ready_champion(champion=ChampionFactory())
    ready = ReadyChampionFactory()
    ScenarioFactory(champion=ready, position=1)
    ScenarioFactory(champion=ready, position=0)
    assert [s.position for s in scenarios_of_ready_champion(champion=ready)] == [0, 1]


def test_the_patterns_come_in_their_recorded_order_as_the_engines_dataclasses():
    champion = ReadyChampionFactory()
    PatternFactory(champion=champion, position=1, category="objection", speaker="other", text="Too dear.")
    PatternFactory(champion=champion, position=0, category="opener", speaker="", text="Hi.", confidence=0.5)
    assert champion_patterns(champion_id=champion.pk) == [
        Pattern(category="opener", text="Hi.", start=10.0, end=13.5, speaker=None, confidence=0.5),
        Pattern(category="objection", text="Too dear.", start=10.0, end=13.5, speaker="other"),
    ]


def test_the_playbook_holds_ids_patterns_stored_vectors_and_buyer_lines(django_assert_num_queries):
    champion = ReadyChampionFactory()
    rows = [
        EmbeddedPatternFactory(champion=champion, position=0, category="opener"),
        EmbeddedPatternFactory(champion=champion, position=1, category="objection", speaker="other", text="No budget."),
    ]
    with django_assert_num_queries(1):
        playbook = champion_playbook(champion.pk)
    assert playbook.pattern_ids == [row.pk for row in rows]
    assert [p.category for p in playbook.patterns] == ["opener", "objection"]
    assert np.array_equal(playbook.vectors, np.stack([unit_vector(0), unit_vector(1)]))
    assert playbook.buyer_lines == ["No budget."]


def test_the_playbook_does_not_read_the_occurrences_that_grow_with_the_call(django_assert_num_queries):
    """The judge reads the playbook on every reply and never the list of every time a move was
    said (hundreds of entries on a 2-hour call): the query leaves it out, and building the
    patterns does not fetch it back one row at a time."""
    champion = ReadyChampionFactory()
    said = [{"start": 60.0 * i, "end": 60.0 * i + 4} for i in range(300)]
    EmbeddedPatternFactory(champion=champion, position=0, occurrences=said)
    with django_assert_num_queries(1) as captured:
        playbook = champion_playbook(champion.pk)
    assert "occurrences" not in captured.captured_queries[0]["sql"]
    assert playbook.patterns[0].occurrences == []
    assert ChampionPattern.objects.get(champion=champion).as_pattern().occurrences == said


def test_the_playbook_has_no_vectors_until_every_pattern_is_embedded():
    champion = ReadyChampionFactory()
    EmbeddedPatternFactory(champion=champion, position=0)
    PatternFactory(champion=champion, position=1)
    assert champion_playbook(champion.pk).vectors is None
    empty = champion_playbook(ReadyChampionFactory().pk)
    assert (empty.pattern_ids, empty.patterns, empty.vectors, empty.buyer_lines) == ([], [], None, [])
