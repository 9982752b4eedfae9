"""Writes of teams, memberships and invitations (README.md, "Teams").

Every change of who is in a team happens here, under a row lock on the team so that two
managers demoting each other at once cannot leave the team without one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import events
from core.errors import Conflict, InvalidInput, NotFound
from core.tasks import enqueue_on_commit
from teams import invitations
from teams.models import Invitation, Membership, Role, Team

INVITATION_EMAIL_TASK = "emails_app.tasks.send_team_invitation"


def team_create(*, user: User, name: str) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name, created_by=user)
        Membership.objects.create(team=team, user=user, role=Role.MANAGER)
    return team


def team_update(*, team: Team, name: str | None = None, leaderboard_enabled: bool | None = None) -> Team:
    fields = []
    if name is not None:
        team.name, fields = name, [*fields, "name"]
    if leaderboard_enabled is not None:
        team.leaderboard_enabled, fields = leaderboard_enabled, [*fields, "leaderboard_enabled"]
    if fields:
        team.save(update_fields=fields)
    return team


def invitation_create(*, team: Team, invited_by: User, email: str, role: str) -> Invitation:
    """A new invitation, its email sent after commit. An earlier pending invitation of the same
    address is revoked, so one address holds at most one live link per team."""
    email = User.objects.normalize_email(email).strip()
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise Conflict("This address already belongs to a member of the team.")
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            team=team, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            role=role,
            nonce=invitations.new_nonce(),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + invitations.INVITATION_MAX_AGE,
        )
        enqueue_on_commit(INVITATION_EMAIL_TASK, invitation.pk)
    return invitation


def invitation_revoke(*, team: Team, invitation_id: int) -> None:
    updated = Invitation.objects.filter(
        pk=invitation_id, team=team, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound("No such pending invitation.")


def invitation_accept(*, user: User, token: str) -> Team:
    """Joins ``user`` to the invitation's team. The token is single-use and bound to the
    invited address: another account is told there is no such invitation (404)."""
    try:
        invitation_id, nonce = invitations.read_invitation_token(token)
    except invitations.InvitationTokenExpired as error:
        raise InvalidInput("This invitation has expired.", fields={"token": ["Expired."]}) from error
    except invitations.InvitationTokenInvalid as error:
        raise InvalidInput("This invitation link is not valid.", fields={"token": ["Not valid."]}) from error
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("team").filter(pk=invitation_id, nonce=nonce).first()
        )
        if invitation is None or invitation.email.lower() != user.email.lower():
            raise NotFound("No such invitation.")
        if invitation.revoked_at is not None:
            raise InvalidInput("This invitation was revoked.", fields={"token": ["Revoked."]})
        if invitation.accepted_at is not None:
            raise InvalidInput("This invitation was already used.", fields={"token": ["Used."]})
        if invitation.expires_at <= timezone.now():
            raise InvalidInput("This invitation has expired.", fields={"token": ["Expired."]})
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        membership, created = Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role}
        )
        if created:
            _publish_membership(events.TEAM_MEMBER_JOINED, membership)
    return invitation.team


def _locked_membership(team: Team, user_id: int) -> Membership:
    Team.objects.select_for_update().filter(pk=team.pk).first()
    membership = Membership.objects.select_related("user", "team").filter(team=team, user_id=user_id).first()
    if membership is None:
        raise NotFound("No such member.")
    return membership


def _other_managers(team: Team, user_id: int) -> bool:
    return Membership.objects.filter(team=team, role=Role.MANAGER).exclude(user_id=user_id).exists()


def member_change_role(*, team: Team, user_id: int, role: str) -> Membership:
    with transaction.atomic():
        membership = _locked_membership(team, user_id)
        if membership.role == Role.MANAGER and role != Role.MANAGER and not _other_managers(team, user_id):
            raise Conflict("A team keeps at least one manager: promote another member first.")
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def member_remove(*, team: Team, user_id: int) -> None:
    """Removes the member: their access to the team's champions ends with this commit (every
    scope reads the membership table); their own sessions stay theirs."""
    with transaction.atomic():
        membership = _locked_membership(team, user_id)
        if membership.role == Role.MANAGER and not _other_managers(team, user_id):
            raise Conflict("A team keeps at least one manager: the last one cannot be removed.")
        _publish_membership(events.TEAM_MEMBER_REMOVED, membership)
        membership.delete()


def _publish_membership(event_type: str, membership: Membership) -> None:
    events.publish(
        event_type,
        data={"team_id": membership.team_id, "team_name": membership.team.name, "role": membership.role},
        user_id=membership.user_id,
        resource_type="team",
        resource_id=membership.team_id,
    )
