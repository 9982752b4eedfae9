"""Teams in the staff admin: the team page with members and invitations inline (never an
invitation's nonce), search, filters, the revoke action through the service, the team's
edits audited, and list pages whose query count does not grow with the rows. The assignments'
admin too (training's admin, read-only, assignees inline)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from adminpanel.audit import action_label
from adminpanel.tests.test_admin import assert_changelist_queries_do_not_grow
from champions.tests.factories import ReadyChampionFactory
from teams import services
from teams.models import Invitation, Membership, Team
from teams.tests.factories import team_with
from training.models import Assignment, AssignmentAssignee

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    manager, rep = UserFactory(email="lead@acme.example"), UserFactory(email="rep@acme.example")
    team = team_with(manager, rep, name="Sales East")
    services.invitation_create(team=team, invited_by=manager, email="new@acme.example", role="rep")
    return team


def test_the_team_page_shows_members_and_invitations_but_never_a_nonce(admin_client, team):
    invitation = Invitation.objects.get(team=team)
    response = admin_client.get(reverse("admin:teams_team_change", args=[team.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "lead@acme.example" in html and "rep@acme.example" in html and "new@acme.example" in html
    assert "pending" in html
    assert invitation.nonce not in html
    invitation_page = admin_client.get(reverse("admin:teams_invitation_change", args=[invitation.pk]))
    assert invitation_page.status_code == 200 and invitation.nonce not in invitation_page.content.decode()


def test_team_search_filters_and_columns(admin_client, team):
    team_with(UserFactory(), name="Other")
    url = reverse("admin:teams_team_changelist")
    response = admin_client.get(url, {"q": "rep@acme.example"})
    assert [row.name for row in response.context["cl"].result_list] == ["Sales East"]
    [row] = response.context["cl"].result_list
    assert (row.member_total, row.manager_total) == (2, 1)
    assert admin_client.get(url, {"leaderboard_enabled__exact": "1"}).context["cl"].result_count == 0


def test_editing_a_team_goes_through_the_service_and_is_audited(admin_client, admin_user, team):
    response = admin_client.post(
        reverse("admin:teams_team_change", args=[team.pk]),
        {
            "name": "Sales West",
            "leaderboard_enabled": "on",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "2",
            "invitations-TOTAL_FORMS": "1",
            "invitations-INITIAL_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team.refresh_from_db()
    assert (team.name, team.leaderboard_enabled) == ("Sales West", True)
    entry = LogEntry.objects.get_for_object(team).filter(action=LogEntry.Action.UPDATE).get()
    assert action_label(entry) == "TEAM_UPDATE" and entry.actor == admin_user
    assert entry.changes["name"] == ["Sales East", "Sales West"]


def test_invitations_filter_by_state_and_revoke_through_the_service(admin_client, team):
    pending = Invitation.objects.get(team=team)
    used = services.invitation_create(team=team, invited_by=team.created_by, email="old@acme.example", role="rep")
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    url = reverse("admin:teams_invitation_changelist")
    assert [i.pk for i in admin_client.get(url, {"state": "pending"}).context["cl"].result_list] == [pending.pk]
    assert [i.pk for i in admin_client.get(url, {"state": "accepted"}).context["cl"].result_list] == [used.pk]
    response = admin_client.post(url, {"action": "revoke", "_selected_action": [pending.pk, used.pk]}, follow=True)
    assert "1 invitation(s) revoked; 1 were not pending." in response.content.decode()
    assert Invitation.objects.get(pk=pending.pk).revoked_at is not None
    assert Invitation.objects.get(pk=used.pk).revoked_at is None


def test_a_role_change_is_audited_whoever_makes_it(team):
    rep = Membership.objects.get(team=team, role="rep")
    services.member_change_role(team=team, user_id=rep.user_id, role="manager")
    entry = LogEntry.objects.get_for_object(rep).filter(action=LogEntry.Action.UPDATE).get()
    assert action_label(entry) == "TEAM_MEMBER_UPDATE" and entry.changes["role"] == ["rep", "manager"]


def test_the_team_and_invitation_lists_cost_the_same_queries_for_any_number_of_rows(admin_client):
    def add_teams(count: int) -> None:
        manager = UserFactory()
        teams = Team.objects.bulk_create([Team(name=f"T{i}") for i in range(count)])
        Membership.objects.bulk_create([Membership(team=t, user=manager, role="manager") for t in teams])
        Invitation.objects.bulk_create(
            [
                Invitation(
                    team=t, email=f"x{t.pk}@example.org", nonce="n", expires_at=timezone.now() + timedelta(days=7)
                )
                for t in teams
            ]
        )

    assert_changelist_queries_do_not_grow(admin_client, reverse("admin:teams_team_changelist"), add_teams)
    assert_changelist_queries_do_not_grow(admin_client, reverse("admin:teams_invitation_changelist"), add_teams)


def test_assignments_list_with_completion_and_the_page_with_assignees(admin_client, team):
    manager = team.created_by
    champion = ReadyChampionFactory(owner=manager, team=team, published_at=timezone.now())
    assignment = Assignment.objects.create(
        team=team,
        champion=champion,
        scenario_title="Price objection",
        due_at=timezone.now() + timedelta(days=7),
        pass_score=60,
    )
    rep = Membership.objects.get(team=team, role="rep").user
    AssignmentAssignee.objects.create(
        assignment=assignment, user=rep, attempts=2, best_score=71, passed_at=timezone.now()
    )
    AssignmentAssignee.objects.create(assignment=assignment, user=manager)
    url = reverse("admin:training_assignment_changelist")
    response = admin_client.get(url, {"q": rep.email, "state": "open"})
    [row] = response.context["cl"].result_list
    assert (row.passed_total, row.assignee_total) == (1, 2)
    assert "1 / 2" in response.content.decode()
    assert admin_client.get(url, {"state": "cancelled"}).context["cl"].result_count == 0
    page = admin_client.get(reverse("admin:training_assignment_change", args=[assignment.pk]))
    assert page.status_code == 200 and rep.email in page.content.decode()

    def add_assignments(count: int) -> None:
        Assignment.objects.bulk_create(
            [
                Assignment(team=team, champion=champion, due_at=timezone.now() + timedelta(days=1), pass_score=50)
                for _ in range(count)
            ]
        )

    assert_changelist_queries_do_not_grow(admin_client, url, add_assignments)
