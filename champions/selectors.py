from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User
from champions.models import Champion, ChampionPattern, Scenario
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
