"""Who belongs where. Every team query of the API starts here, scoped to the caller."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from core.errors import NotFound, PermissionDenied
from core.prepared import PreparedQuery
from teams.models import Invitation, Membership, Role, Team


def teams_of(user: User) -> QuerySet[Team]:
    """The caller's teams, each annotated with the caller's ``role`` and ``members_count``."""
    my_role = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
    members = (
        Membership.objects.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("pk")).values("n")
    )
    return (
        Team.objects.filter(pk__in=member_team_ids(user))
        .annotate(role=Subquery(my_role), members_count=Subquery(members))
        .order_by("name", "id")
    )


def membership_of(user: User, team_id: int) -> Membership:
    """The caller's membership of ``team_id``; a team the caller is not in does not exist (404)."""
    membership = Membership.objects.select_related("team").filter(team_id=team_id, user=user).first()
    if membership is None:
        raise NotFound("No such team.")
    return membership


def managed_team(user: User, team_id: int) -> Team:
    """``team_id`` if the caller manages it: 404 when not a member, 403 when a rep."""
    membership = membership_of(user, team_id)
    if membership.role != Role.MANAGER:
        raise PermissionDenied("Only the team's managers can do this.")
    return membership.team


def team_members(team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(team=team).select_related("user").order_by("joined_at", "id")


def pending_invitations(team: Team) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        team=team, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-id")


def managed_team_ids(user: User) -> QuerySet:
    return Membership.objects.filter(user=user, role=Role.MANAGER).values("team_id")


def member_team_ids(user: User) -> QuerySet:
    return Membership.objects.filter(user=user).values("team_id")


# Read on every request that shows champions: the SQL is compiled once (core.prepared).
_memberships_of = PreparedQuery(
    lambda user_id: Membership.objects.filter(user_id=user_id).order_by().values_list("team_id", "role")
)


def team_ids_subquery(user_id: int, role: str) -> QuerySet:
    """The ids of the teams where ``user_id`` has ``role``, as a subquery."""
    return Membership.objects.filter(user_id=user_id, role=role).order_by().values("team_id")


def team_ids_by_role(user: User) -> tuple[list[int], list[int]]:
    """The ids of the teams ``user`` manages and of those where they are a rep, in one query,
    read afresh on every call (a removed member or a demoted manager loses access at once)."""
    managed, rep = [], []
    for team_id, role in _memberships_of.rows(user.pk):
        (managed if role == Role.MANAGER else rep).append(team_id)
    return managed, rep
