from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from agents.types import Pattern, Transcript, transcript_from_dict
from champions.access import sees_and_manages, visible_champions, visible_champions_of_user_id
from champions.models import (
    JUDGED_PATTERN_FIELDS,
    PATTERN_FIELDS,
    Champion,
    ChampionPattern,
    ChampionTranscript,
    ChampionTranscriptBlock,
    Scenario,
    embedding_matrix,
)
from core.errors import Conflict, NotFound
from core.prepared import PreparedQuery, PreparedRows
from teams.models import Team


@dataclass(frozen=True, slots=True)
class TeamRef:
    id: int
    name: str

    @property
    def pk(self) -> int:
        return self.id


# Not frozen: a frozen dataclass sets each field through object.__setattr__ (1.6 µs a row of
# 17 fields, against 0.18 µs), and a page builds its rows by the dozen.
@dataclass(slots=True)
class ChampionListRow:
    """A champion as the list shows it, with the attributes ``ChampionListSerializer`` reads of
    a champion: built from a row's values, no model instance (issue 13: building 20 champions
    and their teams was a third of the list's time)."""

    id: int
    name: str
    status: str
    step: str
    progress: int
    error: str
    duration_seconds: float
    has_video: bool
    original_filename: str
    team_id: int | None
    team_name: str | None
    published_at: str | None  # datetimes as the API's ISO text (``datetimes_as_text``)
    can_manage: bool
    pattern_count: int
    scenario_count: int
    created_at: str
    analyzed_at: str | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def team(self) -> TeamRef | None:
        return TeamRef(self.team_id, self.team_name) if self.team_id else None


# Not frozen, as ChampionListRow.
@dataclass(slots=True)
class PatternRow:
    """A pattern as the detail shows it, from a row's values (issue 13: a model instance per
    pattern and scenario was a fifth of the detail's time)."""

    id: int
    category: str
    text: str
    start: float
    end: float
    speaker: str
    confidence: float
    responds_to: str
    occurrences: list
    hidden: bool
    edited_at: datetime | None

    @property
    def pk(self) -> int:
        return self.id


# Not frozen, as ChampionListRow.
@dataclass(slots=True)
class ScenarioRow:
    """A scenario as the detail shows it, from a row's values."""

    id: int
    title: str
    persona: str
    context: str
    goal: str
    objections: list
    difficulty: str

    @property
    def pk(self) -> int:
        return self.id


# The list's values, in ``ChampionListRow``'s order.
LIST_VALUES = tuple(name if name != "team_name" else "team__name" for name in ChampionListRow.__slots__)


def _champion_list_values(user_id: int) -> QuerySet:
    """The champions ``user_id`` sees (``champions.access``), newest first, with their team,
    counts and ``can_manage``. The counts are subqueries, not joins: no GROUP BY, no row per
    pattern."""
    patterns = (
        ChampionPattern.objects.filter(champion=OuterRef("pk"), hidden=False)
        .order_by()
        .values("champion")
        .annotate(n=Count("pk"))
        .values("n")
    )
    scenarios = (
        Scenario.objects.filter(champion=OuterRef("pk"))
        .order_by()
        .values("champion")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = Champion.objects.annotate(
        pattern_count=Coalesce(Subquery(patterns), 0), scenario_count=Coalesce(Subquery(scenarios), 0)
    )
    return (
        visible_champions_of_user_id(user_id, counted)
        # Newest first, the id breaking ties: the pages of the list come in one defined order.
        .order_by("-created_at", "-id")
        .values_list(*LIST_VALUES)
    )


# Compiled once per connection: building and compiling it cost more than running it (issue 13).
# Its datetimes are only rendered: they come as the API's text.
_champion_list = PreparedQuery(_champion_list_values, datetimes_as_text=True)


def _list_row(values: tuple) -> ChampionListRow:
    return ChampionListRow(*values)


def champion_list(*, user: User) -> PreparedRows:
    """The champions ``user`` sees, as the list shows them, a page at a time (a slice is one
    query; the paginator counts only when it must)."""
    return PreparedRows(_champion_list, user.pk, _list_row)


# The detail's three reads, each compiled once per connection (issue 13: building, compiling
# and prefetching them was most of the detail's time). Not the transcript (its own table).
_champion_by_id = PreparedQuery(
    lambda champion_id: Champion.objects.filter(pk=champion_id).annotate(team_name=F("team__name")).order_by()
)
_patterns_of = PreparedQuery(
    lambda champion_id: (
        ChampionPattern.objects.filter(champion_id=champion_id).order_by("position").values_list(*PatternRow.__slots__)
    )
)
_scenarios_of = PreparedQuery(
    lambda champion_id: (
        Scenario.objects.filter(champion_id=champion_id).order_by("position").values_list(*ScenarioRow.__slots__)
    )
)


def champion_detail(*, user: User, champion_id: int) -> Champion:
    """The champion ``champion_id`` with ``can_manage``, its ``shown_patterns`` (a rep sees
    the patterns in use, those who manage it hidden ones too) and ``scenario_rows``, in their
    order, if ``user`` sees it (``champions.access.sees``, the rule of
    ``visible_champions`` on a loaded row); else 404. Three queries; a team's champion adds
    the caller's teams."""
    champion = next(iter(_champion_by_id.rows(champion_id)), None)
    if champion is None:
        raise NotFound("No such champion.")
    visible, champion.can_manage = sees_and_manages(user, champion)
    if not visible:
        raise NotFound("No such champion.")
    if champion.team_id is not None:
        # The joined name, as select_related would load it (other columns on demand).
        champion.team = Team.from_db(None, ["id", "name"], [champion.team_id, champion.team_name])
    patterns = (PatternRow(*values) for values in _patterns_of.rows(champion_id))
    champion.shown_patterns = [pattern for pattern in patterns if champion.can_manage or not pattern.hidden]
    champion.scenario_rows = [ScenarioRow(*values) for values in _scenarios_of.rows(champion_id)]
    return champion


def scenarios_of_ready_champion(*, champion: Champion) -> QuerySet[Scenario]:
    """The champion's practice scenarios, which exist once its analysis is done."""
    if champion.status != Champion.Status.READY:
        raise Conflict(f"The champion is {champion.status}; scenarios exist once it is ready.")
    return champion.scenarios.order_by("position")


@dataclass(frozen=True)
class ChampionPlaybook:
    """The champion's patterns as the judge takes them, with their stored vectors and ids."""

    pattern_ids: list[int]
    patterns: list[Pattern]
    vectors: np.ndarray | None  # None unless every pattern has its embedding
    buyer_lines: list[str]
    # Names this set of patterns and wordings: a judgement remembered for another set (before a
    # manager hid or reworded a pattern) is not this playbook's.
    version: str = ""


def champion_patterns(*, champion_id: int) -> list[Pattern]:
    """The champion's patterns in use (a manager's hidden ones are never used), in their
    recorded order, as the engines' dataclasses."""
    rows = (
        ChampionPattern.objects.filter(champion_id=champion_id, hidden=False).order_by("position").only(*PATTERN_FIELDS)
    )
    return [row.as_pattern() for row in rows]


# Read on every reply of a training session: compiled once per connection (issue 13).
_playbook_rows = PreparedQuery(
    lambda champion_id: (
        ChampionPattern.objects.filter(champion_id=champion_id, hidden=False)
        .order_by("position")
        .only("id", "embedding", *JUDGED_PATTERN_FIELDS)
    )
)


def champion_playbook(champion_id: int) -> ChampionPlaybook:
    rows = _playbook_rows.rows(champion_id)
    patterns = [row.as_pattern() for row in rows]
    blobs = [row.embedding for row in rows]
    vectors = embedding_matrix(blobs) if blobs and all(blobs) else None
    buyer_lines = [p.text for p in patterns if p.speaker == "other"]
    version = hashlib.sha256("\x1f".join(f"{row.pk}:{row.text}" for row in rows).encode()).hexdigest()[:16]
    return ChampionPlaybook([row.pk for row in rows], patterns, vectors, buyer_lines, version)


def champion_transcript_queryset(*, user: User) -> QuerySet[Champion]:
    """The champions ``user`` sees (the detail's rules), with their transcript's head only
    (neither its text nor its segments)."""
    return (
        visible_champions(user)
        .select_related("transcript_record")
        .only("id", "owner_id", "team_id", "published_at", "transcript_record__data")
    )


def joined_transcript_head(champion: Champion) -> dict:
    """The stored head of the transcript (language, duration, segment_count) of a champion
    from ``champion_transcript_queryset`` (joined: no query; the text is not read), {} when
    there is none."""
    try:
        return champion.transcript_record.data
    except ChampionTranscript.DoesNotExist:
        return {}


class TranscriptSegments:
    """A transcript's segments as DRF's paginator takes them: their count (``len``) from the
    head, and a slice read from the blocks it overlaps (one query), so a page costs its own
    size whatever the call's length."""

    def __init__(self, champion_id: int, head: dict) -> None:
        self.champion_id = champion_id
        self._count = head.get("segment_count", 0)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop, _ = window.indices(self._count)
        return ChampionTranscriptBlock.segments_of(self.champion_id, start, stop)


def champion_transcript(*, champion_id: int) -> Transcript:
    """The champion's transcript as the engines' dataclass (empty when there is none), read
    alone: the session turn loads the champion without it."""
    return transcript_from_dict(ChampionTranscript.data_of(champion_id))
