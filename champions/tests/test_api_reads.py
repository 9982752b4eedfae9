"""The champions' read paths at real sizes (issue 13): the detail stays small whatever the
call's length, the transcript is paged on its own route with the detail's visibility, and the
hand-built bodies equal what DRF would build from the declared (documented) fields."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions.api.serializers import (
    ChampionDetailSerializer,
    ChampionListSerializer,
    PatternSerializer,
    ScenarioSerializer,
)
from champions.models import Champion, ChampionTranscriptBlock
from champions.selectors import champion_detail, champion_list
from champions.tests.factories import PatternFactory, ReadyChampionFactory, ScenarioFactory, team_scene
from champions.transcripts import store_transcript_document
from conftest import authenticated_client
from core.api.representation import drf_representation
from teams.models import Role
from teams.tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def long_transcript(segments: int) -> dict:
    """A transcript of ``segments`` segments of 20 timed words each (about 1.7 KB apiece)."""
    return {
        "text": "",
        "language": "en",
        "duration": segments * 8.0,
        "segments": [
            {
                "id": index,
                "start": index * 8.0,
                "end": index * 8.0 + 7.5,
                "text": f"segment {index} " + "word " * 20,
                "speaker": "champion" if index % 2 else "other",
                "words": [
                    {
                        "text": "word",
                        "start": index * 8.0 + w * 0.3,
                        "end": index * 8.0 + w * 0.3 + 0.2,
                        "probability": 0.9,
                    }
                    for w in range(20)
                ],
            }
            for index in range(segments)
        ],
    }


def champion_with_long_call(owner, segments: int = 900, **fields) -> Champion:
    return ReadyChampionFactory(owner=owner, transcript=long_transcript(segments), **fields)


class TestDetail:
    def test_the_detail_leaves_the_transcript_out_and_stays_small_whatever_the_calls_length(self, user):
        client = authenticated_client(user)
        short, long = champion_with_long_call(user, segments=10), champion_with_long_call(user, segments=900)
        for champion in (short, long):
            PatternFactory.create_batch(3, champion=champion)
        sizes = []
        for champion in (short, long):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/champions/{champion.pk}")
            assert response.status_code == 200
            body = response.json()
            assert "transcript" not in body and "transcript_text" not in body
            # Its table is not read: the 2-hour call's JSON (1.5 MB) would be decoded for nothing.
            assert not any("champions_championtranscript" in q["sql"] for q in queries.captured_queries)
            sizes.append(len(response.content))
        # The same size but for the two champions' ids and names (one may have a digit more:
        # sequences are not reset between tests on PostgreSQL); 900 segments would add 1.5 MB.
        assert abs(sizes[0] - sizes[1]) <= 8 and max(sizes) < 8_000


class TestTranscript:
    def test_pages_of_segments_with_words_speakers_and_links(self, user, django_assert_num_queries):
        champion = champion_with_long_call(user, segments=120)
        client = authenticated_client(user)
        with django_assert_num_queries(4):  # user, the caller's teams, champion, the page's block
            first = client.get(f"/champions/{champion.pk}/transcript").json()
        assert (first["count"], first["language"], first["duration"]) == (120, "en", 960.0)
        assert [s["id"] for s in first["results"]] == list(range(50))
        assert first["results"][0]["words"][0] == {"text": "word", "start": 0.0, "end": 0.2, "probability": 0.9}
        assert first["previous"] is None and "offset=50" in first["next"]
        last = client.get(f"/champions/{champion.pk}/transcript", {"offset": 100, "limit": 50}).json()
        assert [s["id"] for s in last["results"]] == list(range(100, 120)) and last["next"] is None

    def test_a_page_reads_only_the_blocks_it_overlaps_and_joins_them_at_their_edges(self, user):
        champion = champion_with_long_call(user, segments=900)
        client = authenticated_client(user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/champions/{champion.pk}/transcript", {"offset": 149, "limit": 2}).json()
        assert [segment["id"] for segment in page["results"]] == [149, 150]
        (block_query,) = [q["sql"] for q in queries.captured_queries if "championtranscriptblock" in q["sql"]]
        # Blocks 100 and 150 of 18: the head's row is read for the count, never the segments.
        assert "first_segment" in block_query
        assert not any("segments" in q["sql"] for q in queries.captured_queries if q["sql"] != block_query)
        assert ChampionTranscriptBlock.segments_of(champion.pk, 149, 151) == page["results"]
        whole = client.get(f"/champions/{champion.pk}/transcript", {"offset": 700, "limit": 200}).json()
        assert [segment["id"] for segment in whole["results"]] == list(range(700, 900)) and whole["next"] is None
        beyond = client.get(f"/champions/{champion.pk}/transcript", {"offset": 5000}).json()
        assert beyond["results"] == [] and beyond["count"] == 900

    def test_a_page_is_at_most_200_segments_and_a_bad_offset_is_the_first_page(self, user):
        champion = champion_with_long_call(user, segments=300)
        client = authenticated_client(user)
        assert len(client.get(f"/champions/{champion.pk}/transcript?limit=1000").json()["results"]) == 200
        page = client.get(f"/champions/{champion.pk}/transcript?offset=x&limit=-3").json()
        assert page["results"][0]["id"] == 0 and len(page["results"]) == 50

    def test_a_champion_without_a_transcript_has_an_empty_page(self, user):
        champion = ReadyChampionFactory(owner=user)
        body = authenticated_client(user).get(f"/champions/{champion.pk}/transcript").json()
        assert body["count"] == 0 and body["results"] == []

    def test_the_transcript_is_seen_by_whoever_sees_the_champion(self, db):
        scene = team_scene()
        for champion in (scene.draft, scene.published):
            store_transcript_document(champion.pk, long_transcript(3))
        own = champion_with_long_call(scene.outsider, segments=3)
        expected = {
            (scene.manager, scene.draft): 200,
            (scene.manager, scene.published): 200,
            (scene.rep, scene.published): 200,
            (scene.rep, scene.draft): 404,
            (scene.outsider, scene.published): 404,
            (scene.outsider, own): 200,
            (scene.rep, own): 404,
        }
        statuses = {
            (who, champion): authenticated_client(who).get(f"/champions/{champion.pk}/transcript").status_code
            for who, champion in expected
        }
        assert statuses == expected
        assert authenticated_client(scene.rep).get("/champions/999999/transcript").status_code == 404


class TestBodiesMatchTheSchema:
    """Each hand-built body equals DRF's from the declared fields (what the schema documents)."""

    def test_list_row(self, user):
        champion = ReadyChampionFactory(owner=user)
        PatternFactory(champion=champion)
        team_champion = ReadyChampionFactory(owner=user, team=TeamFactory(name="Sales East"))
        MembershipFactory(team=team_champion.team, user=user, role=Role.MANAGER)
        rows = {row.pk: row for row in champion_list(user=user)}
        assert rows[team_champion.pk].team.name == "Sales East" and rows[champion.pk].team is None
        serializer = ChampionListSerializer()
        for row in rows.values():
            assert serializer.represent(row) == drf_representation(serializer, row)
        row = rows[champion.pk]
        serializer = ChampionListSerializer()
        assert serializer.represent(row) == drf_representation(serializer, row)
        assert json.dumps(serializer.represent(row))

    def test_detail_pattern_and_scenario(self, user):
        champion = ReadyChampionFactory(owner=user, call_metrics={"transcribed_share": 0.3})
        PatternFactory.create_batch(2, champion=champion)
        ScenarioFactory(champion=champion)
        detail = champion_detail(user=user, champion_id=champion.pk)
        serializer = ChampionDetailSerializer()
        assert serializer.represent(detail) == drf_representation(serializer, detail)
        pattern, scenario = detail.shown_patterns[0], detail.scenario_rows[0]
        assert PatternSerializer().represent(pattern) == drf_representation(PatternSerializer(), pattern)
        assert ScenarioSerializer().represent(scenario) == drf_representation(ScenarioSerializer(), scenario)
