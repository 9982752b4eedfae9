"""The patterns step lists a repeated move once with every time it was said (issue 13), stores
the occurrences with the pattern and the champion's detail shows them."""

from __future__ import annotations

import pytest

from agents.scripts import load_script, transcript_from_script
from champions.models import ChampionPattern
from champions.scripted import champion_from_script
from conftest import authenticated_client

pytestmark = pytest.mark.django_db
SCRIPT = "saas_helpdesk"


def three_loops_minutes() -> float:
    """A length that ``champions.scripted.looped`` fills with exactly three copies of the call."""
    return 2.5 * (transcript_from_script(load_script(SCRIPT)).duration + 1.0) / 60


def test_the_patterns_step_merges_a_looped_call_and_stores_every_occurrence(user):
    once = champion_from_script(user, SCRIPT)
    looped = champion_from_script(user, SCRIPT, call_minutes=three_loops_minutes())
    single = list(once.patterns.order_by("position"))
    patterns = list(looped.patterns.order_by("position"))
    assert len(single) <= len(patterns) <= len(single) + 3  # 40 and more before the merge
    assert all(len(p.occurrences) == 1 for p in single)
    thrice = [p for p in patterns if len(p.occurrences) == 3]
    assert len(thrice) >= len(single) - 4  # all but the openers and closings, placed by position
    for pattern in patterns:
        assert pattern.occurrences[0] == {"start": pattern.start, "end": pattern.end}
        assert [o["start"] for o in pattern.occurrences] == sorted(o["start"] for o in pattern.occurrences)
        assert pattern.as_pattern().occurrences == pattern.occurrences


def test_the_detail_shows_each_patterns_occurrences(user):
    champion = champion_from_script(user, SCRIPT, call_minutes=three_loops_minutes())
    response = authenticated_client(user).get(f"/champions/{champion.pk}")
    assert response.status_code == 200
    shown = {p["id"]: p["occurrences"] for p in response.json()["patterns"]}
    stored = dict(ChampionPattern.objects.filter(champion=champion).values_list("id", "occurrences"))
    assert shown == stored and max(len(o) for o in shown.values()) == 3
