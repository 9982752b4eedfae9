"""The teams API: teams, members, invitations and their acceptance (README.md, "Teams")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import authenticated_client
from teams import invitations
from teams.models import Invitation, Membership, Role
from teams.tests.factories import team_with

pytestmark = pytest.mark.django_db


def _token(invitation: Invitation) -> str:
    return invitations.invitation_token(invitation.pk, invitation.nonce)


def _invite(client, team, email, role="rep"):
    return client.post(f"/teams/{team.pk}/invitations", {"email": email, "role": role}, format="json")


def test_create_team_makes_the_creator_its_manager(user, api_client):
    response = api_client.post("/teams", {"name": "  Sales West  "}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "role", "members_count", "leaderboard_enabled", "created_at"}
    assert (body["name"], body["role"], body["members_count"], body["leaderboard_enabled"]) == (
        "Sales West",
        "manager",
        1,
        False,
    )
    assert Membership.objects.get(team_id=body["id"]).user == user


def test_create_team_without_a_name_is_400(api_client):
    response = api_client.post("/teams/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_list_and_detail_show_only_the_callers_teams_with_their_role(user, other_user):
    mine = team_with(other_user, user)
    team_with(other_user, name="Not mine")
    client = authenticated_client(user)

    listing = client.get("/teams").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [(row["id"], row["role"], row["members_count"]) for row in rows] == [(mine.pk, "rep", 2)]

    detail = client.get(f"/teams/{mine.pk}/").json()
    assert [(m["user_id"], m["role"]) for m in detail["members"]] == [(other_user.pk, "manager"), (user.pk, "rep")]
    assert set(detail["members"][0]) == {"user_id", "full_name", "email", "role", "joined_at"}


def test_a_team_the_caller_is_not_in_is_404(user, other_user):
    team = team_with(other_user)
    client = authenticated_client(user)
    assert client.get(f"/teams/{team.pk}").status_code == 404
    assert client.patch(f"/teams/{team.pk}", {"name": "x"}, format="json").status_code == 404
    assert _invite(client, team, "x@example.com").status_code == 404


def test_only_managers_change_the_team(user, other_user):
    team = team_with(other_user, user)
    assert authenticated_client(user).patch(f"/teams/{team.pk}", {"name": "x"}, format="json").status_code == 403
    response = authenticated_client(other_user).patch(f"/teams/{team.pk}", {"leaderboard_enabled": True}, format="json")
    assert response.status_code == 200
    assert response.json()["leaderboard_enabled"] is True
    team.refresh_from_db()
    assert team.leaderboard_enabled and team.name == "Sales East"


def test_invitation_is_created_listed_and_revoked(user):
    team = team_with(user)
    client = authenticated_client(user)

    response = _invite(client, team, "New.Rep@Example.com")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "role", "created_at", "expires_at"}
    assert body["role"] == "rep"
    invitation = Invitation.objects.get(pk=body["id"])
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)

    assert [row["id"] for row in client.get(f"/teams/{team.pk}/invitations").json()] == [invitation.pk]
    assert client.delete(f"/teams/{team.pk}/invitations/{invitation.pk}").status_code == 204
    assert client.get(f"/teams/{team.pk}/invitations").json() == []
    assert client.delete(f"/teams/{team.pk}/invitations/{invitation.pk}").status_code == 404


def test_a_rep_cannot_invite(user, other_user):
    team = team_with(other_user, user)
    assert _invite(authenticated_client(user), team, "x@example.com").status_code == 403
    assert not Invitation.objects.exists()


def test_inviting_a_member_is_409_and_a_bad_role_400(user, other_user):
    team = team_with(user, other_user)
    client = authenticated_client(user)
    assert _invite(client, team, other_user.email.upper()).status_code == 409
    assert _invite(client, team, "x@example.com", role="owner").status_code == 400


def test_accept_joins_the_team_once(user, other_user):
    team = team_with(other_user)
    invitation = Invitation.objects.get(
        pk=_invite(authenticated_client(other_user), team, user.email, "manager").json()["id"]
    )
    client = authenticated_client(user)

    response = client.post("/invitations/accept", {"token": _token(invitation)}, format="json")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["role"]) == (team.pk, "manager")
    assert Membership.objects.get(team=team, user=user).role == Role.MANAGER

    again = client.post("/invitations/accept/", {"token": _token(invitation)}, format="json")
    assert again.status_code == 400


def test_accept_by_another_account_is_404_and_leaves_the_invitation(user, other_user):
    team = team_with(other_user)
    invitation = Invitation.objects.get(
        pk=_invite(authenticated_client(other_user), team, "someone.else@example.com").json()["id"]
    )
    response = authenticated_client(user).post("/invitations/accept", {"token": _token(invitation)}, format="json")
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(team=team, user=user).exists()


def test_accept_of_a_revoked_expired_or_forged_token_is_400(user, other_user):
    team = team_with(other_user)
    manager = authenticated_client(other_user)
    client = authenticated_client(user)
    revoked = Invitation.objects.get(pk=_invite(manager, team, user.email).json()["id"])
    manager.delete(f"/teams/{team.pk}/invitations/{revoked.pk}")
    assert client.post("/invitations/accept", {"token": _token(revoked)}, format="json").status_code == 400

    expired = Invitation.objects.get(pk=_invite(manager, team, user.email).json()["id"])
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post("/invitations/accept", {"token": _token(expired)}, format="json").status_code == 400

    forged = _token(expired)[:-2] + "xx"
    assert client.post("/invitations/accept", {"token": forged}, format="json").status_code == 400
    assert client.post("/invitations/accept", {"token": ""}, format="json").status_code == 400
    assert not Membership.objects.filter(team=team, user=user).exists()


def test_a_new_invitation_revokes_the_earlier_one_to_the_same_address(user):
    team = team_with(user)
    client = authenticated_client(user)
    first = Invitation.objects.get(pk=_invite(client, team, "a@example.com").json()["id"])
    _invite(client, team, "A@example.com")
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert len(client.get(f"/teams/{team.pk}/invitations").json()) == 1


def test_managers_change_roles_and_remove_members(user, other_user):
    rep = UserFactory()
    team = team_with(user, rep, other_user)
    client = authenticated_client(user)

    response = client.patch(f"/teams/{team.pk}/members/{rep.pk}", {"role": "manager"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert client.delete(f"/teams/{team.pk}/members/{other_user.pk}").status_code == 204
    assert not Membership.objects.filter(team=team, user=other_user).exists()
    assert client.delete(f"/teams/{team.pk}/members/{other_user.pk}").status_code == 404
    assert client.patch(f"/teams/{team.pk}/members/{rep.pk}", {"role": "boss"}, format="json").status_code == 400


def test_the_last_manager_is_neither_removed_nor_demoted(user, other_user):
    team = team_with(user, other_user)
    client = authenticated_client(user)
    assert client.delete(f"/teams/{team.pk}/members/{user.pk}").status_code == 409
    assert client.patch(f"/teams/{team.pk}/members/{user.pk}", {"role": "rep"}, format="json").status_code == 409
    assert Membership.objects.get(team=team, user=user).role == Role.MANAGER


def test_a_rep_cannot_change_members(user, other_user):
    team = team_with(other_user, user)
    client = authenticated_client(user)
    assert client.delete(f"/teams/{team.pk}/members/{other_user.pk}").status_code == 403
    assert client.patch(f"/teams/{team.pk}/members/{user.pk}", {"role": "manager"}, format="json").status_code == 403


def test_invitations_are_rate_limited_per_manager(user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "team_invitation": "2/h"}
    team = team_with(user)
    client = authenticated_client(user)
    assert [_invite(client, team, f"r{i}@example.com").status_code for i in range(3)] == [201, 201, 429]


@pytest.mark.parametrize("path", ["/invitations/accept", "/teams", "/teams/1", "/teams/1/invitations"])
def test_options_describes_the_route(api_client, user, path):
    team_with(user)
    assert api_client.options(path).status_code == 200
