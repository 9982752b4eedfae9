from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from agents.types import Pattern, Transcript, transcript_from_dict
from champions.access import visible_champions
from champions.models import PATTERN_FIELDS, Champion, ChampionPattern, Scenario, embedding_matrix
from core.errors import Conflict

# The champion's columns the list shows (``ChampionListSerializer``) and its visibility needs.
LIST_COLUMNS = (
    "id",
    "owner_id",
    "team_id",
    "published_at",
    "name",
    "status",
    "step",
    "progress",
    "error",
    "duration_seconds",
    "has_video",
    "original_filename",
    "created_at",
    "analyzed_at",
)


def champion_list(*, user: User) -> QuerySet[Champion]:
    """The champions ``user`` sees (``champions.access``), newest first, with their team, counts
    and ``can_manage``. The counts are subqueries, not joins: no GROUP BY, no row per pattern."""
    return visible_champions(user, _champion_list_base())


# The same for every caller, and built once per process: building its subqueries cost more than
# running it (0.9 of the list's 2.9 ms in process; issue 13). Only ever filtered, so cloned
# (a filter copies a queryset), never evaluated itself.
@cache
def _champion_list_base() -> QuerySet[Champion]:
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
    return (
        Champion.objects.select_related("team")
        # The columns the list shows: no JSON column is read and decoded for nothing.
        .only(*LIST_COLUMNS, "team__name")
        .annotate(
            pattern_count=Coalesce(Subquery(patterns), 0),
            scenario_count=Coalesce(Subquery(scenarios), 0),
        )
        # Newest first, the id breaking ties: the pages of the list come in one defined order.
        .order_by("-created_at", "-id")
    )


def champion_detail_queryset(*, user: User) -> QuerySet[Champion]:
    """The champions ``user`` sees, with their patterns (hidden ones too: the serializer shows
    them to those who manage the champion only) and scenarios. Not the transcript: its size
    grows with the call (1.5 MB of JSON for two hours): ``GET /champions/{id}/transcript`` pages it."""
    return (
        visible_champions(user)
        .select_related("team")
        .defer("transcript", "transcript_text", "team__leaderboard_enabled", "team__created_by", "team__created_at")
        .prefetch_related(
            Prefetch("patterns", queryset=ChampionPattern.objects.defer("embedding").order_by("position")),
            Prefetch("scenarios", queryset=Scenario.objects.order_by("position")),
        )
    )


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


def champion_playbook(champion_id: int) -> ChampionPlaybook:
    rows = list(
        ChampionPattern.objects.filter(champion_id=champion_id, hidden=False)
        .order_by("position")
        .only("id", "embedding", *PATTERN_FIELDS)
    )
    patterns = [row.as_pattern() for row in rows]
    blobs = [row.embedding for row in rows]
    vectors = embedding_matrix(blobs) if blobs and all(blobs) else None
    buyer_lines = [p.text for p in patterns if p.speaker == "other"]
    version = hashlib.sha256("\x1f".join(f"{row.pk}:{row.text}" for row in rows).encode()).hexdigest()[:16]
    return ChampionPlaybook([row.pk for row in rows], patterns, vectors, buyer_lines, version)


def champion_transcript_queryset(*, user: User) -> QuerySet[Champion]:
    """The champions ``user`` sees (the detail's rules), with their stored transcript only."""
    return visible_champions(user).only("id", "owner_id", "team_id", "published_at", "transcript")


def champion_transcript(*, champion_id: int) -> Transcript:
    """The champion's transcript as the engines' dataclass (empty when there is none), read
    alone: the session turn loads the champion without it."""
    data = Champion.objects.filter(pk=champion_id).values_list("transcript", flat=True).first()
    return transcript_from_dict(data or {})
