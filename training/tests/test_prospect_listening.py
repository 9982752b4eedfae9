"""A session's prospect answers from the champion's own call: the buyer's lines are gathered
from the champion's transcript when the session starts, embedded once per champion (Django's
cache), and passed to the coach on every turn without reading the transcript again."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from champions.scripted import champion_from_script
from champions.tests.factories import ReadyChampionFactory
from training import services
from training.services.buyer_turns import buyer_turns_cache_key, champion_buyer_turns

pytestmark = pytest.mark.django_db

ROUTES_ANSWER = "They build the routes by hand in spreadsheets."


@pytest.fixture
def champion(user):
    return champion_from_script(user, "logistics_routing")


def test_a_reps_question_is_answered_with_the_buyers_answer_in_the_champions_call(user, champion):
    session = services.session_start(user=user, champion_id=champion.pk)

    result = services.session_respond(user=user, session_id=session.pk, message="How do you plan routes today?")

    assert ROUTES_ANSWER in result.prospect_message.content
    assert result.session.stage == 0  # the objection on the table is still to be answered


def test_the_buyers_lines_are_embedded_when_the_session_starts_not_per_reply(user, champion, django_assert_num_queries):
    key = buyer_turns_cache_key(champion)
    cache.delete(key)

    session = services.session_start(user=user, champion_id=champion.pk)

    assert ROUTES_ANSWER in " ".join(cache.get(key).texts())
    # the session and its champion; the last prospect line; the patterns; savepoint; the
    # session again, locked; the insert; the update; release: the transcript is not read.
    with django_assert_num_queries(8):
        services.session_respond(user=user, session_id=session.pk, message="How do you plan routes today?")


def test_a_turn_after_the_cache_lost_the_lines_reads_the_transcript_once(user, champion, django_assert_num_queries):
    session = services.session_start(user=user, champion_id=champion.pk)
    cache.delete(buyer_turns_cache_key(champion))

    with django_assert_num_queries(10):  # a warm turn's 8, the transcript's head and its blocks
        first = services.session_respond(user=user, session_id=session.pk, message="How many trucks do you run?")
    with django_assert_num_queries(8):
        services.session_respond(user=user, session_id=session.pk, message="What does a late delivery cost you?")

    assert "We run forty trucks" in first.prospect_message.content


def test_a_new_analysis_of_the_champion_gets_new_lines(user, champion):
    before = buyer_turns_cache_key(champion)
    champion.analysis_run = None
    champion.save()

    assert buyer_turns_cache_key(champion) != before


def test_a_champion_without_a_transcript_has_no_buyer_lines(user):
    champion = ReadyChampionFactory(owner=user)

    assert len(champion_buyer_turns(champion)) == 0
