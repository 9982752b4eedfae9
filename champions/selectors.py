from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User
from agents.types import Pattern, Transcript, transcript_from_dict
from champions.models import PATTERN_FIELDS, Champion, ChampionPattern, Scenario, embedding_matrix
from core.errors import Conflict


def champion_list(*, owner: User) -> QuerySet[Champion]:
    return (
        Champion.objects.filter(owner=owner)
        .annotate(pattern_count=Count("patterns", distinct=True), scenario_count=Count("scenarios", distinct=True))
        .defer("transcript", "transcript_text")
        # Meta.ordering is dropped from queries with GROUP BY, and the counts above add one:
        # without this the pages of the list come in no defined order.
        .order_by("-created_at", "-id")
    )


def champion_detail_queryset(*, owner: User) -> QuerySet[Champion]:
    return Champion.objects.filter(owner=owner).prefetch_related(
        Prefetch("patterns", queryset=ChampionPattern.objects.defer("embedding").order_by("position")),
        Prefetch("scenarios", queryset=Scenario.objects.order_by("position")),
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


def champion_patterns(*, champion_id: int) -> list[Pattern]:
    """The champion's patterns in their recorded order, as the engines' dataclasses."""
    rows = ChampionPattern.objects.filter(champion_id=champion_id).order_by("position").only(*PATTERN_FIELDS)
    return [row.as_pattern() for row in rows]


def champion_playbook(champion_id: int) -> ChampionPlaybook:
    rows = list(
        ChampionPattern.objects.filter(champion_id=champion_id)
        .order_by("position")
        .only("id", "embedding", *PATTERN_FIELDS)
    )
    patterns = [row.as_pattern() for row in rows]
    blobs = [row.embedding for row in rows]
    vectors = embedding_matrix(blobs) if blobs and all(blobs) else None
    buyer_lines = [p.text for p in patterns if p.speaker == "other"]
    return ChampionPlaybook([row.pk for row in rows], patterns, vectors, buyer_lines)


def champion_transcript(*, champion_id: int) -> Transcript:
    """The champion's transcript as the engines' dataclass (empty when there is none), read
    alone: the session turn loads the champion without it."""
    data = Champion.objects.filter(pk=champion_id).values_list("transcript", flat=True).first()
    return transcript_from_dict(data or {})
