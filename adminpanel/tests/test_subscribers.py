"""The activity log and the journey funnel see the team and assignment events (README.md,
"Teams"), published the way services publish them (dispatched after commit)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import JourneyStage, User
from accounts.tests.factories import UserFactory
from adminpanel.models import ActivityLog
from core import events
from teams import invitations
from teams import services as team_services
from teams.tests.factories import team_with

pytestmark = pytest.mark.django_db

ASSIGNMENT = {"assignment_id": 5, "team_id": 1, "team_name": "Sales East", "champion_id": 2, "pass_score": 70}


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks, monkeypatch):
    # Only the operations' listeners matter here: no email or webhook task is started.
    monkeypatch.setattr("emails_app.subscribers.enqueue_or_run_here", lambda *args, **kwargs: None)
    monkeypatch.setattr("webhooks_app.subscribers.enqueue_or_run_here", lambda *args, **kwargs: None)
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_joining_and_leaving_a_team_are_logged_under_the_member(after_commit):
    manager, rep = UserFactory(), UserFactory(email="rep@example.org")
    team = team_with(manager)
    invitation = team_services.invitation_create(team=team, invited_by=manager, email=rep.email, role="rep")
    with after_commit():
        team_services.invitation_accept(user=rep, token=invitations.invitation_token(invitation.pk, invitation.nonce))
    with after_commit():
        team_services.member_remove(team=team, user_id=rep.pk)
    logged = list(ActivityLog.objects.order_by("id").values_list("action", "user_id", "resource_type", "resource_id"))
    assert logged == [
        ("team.member_joined", rep.pk, "team", str(team.pk)),
        ("team.member_removed", rep.pk, "team", str(team.pk)),
    ]


def test_events_a_manager_caused_are_logged_but_do_not_make_the_assignee_active(after_commit):
    long_ago = timezone.now() - timedelta(days=40)
    rep = UserFactory(last_activity_at=long_ago)
    with after_commit():
        for event_type in (events.ASSIGNMENT_CREATED, events.ASSIGNMENT_DUE_SOON, events.ASSIGNMENT_OVERDUE):
            events.publish(event_type, data=ASSIGNMENT, user_id=rep.pk, resource_type="assignment", resource_id=5)
    assert set(ActivityLog.objects.filter(user=rep).values_list("action", flat=True)) == {
        "assignment.created",
        "assignment.due_soon",
        "assignment.overdue",
    }
    assert User.objects.get(pk=rep.pk).last_activity_at == long_ago


def test_passing_an_assignment_makes_the_rep_an_active_trainee_in_the_funnel(after_commit):
    rep = UserFactory(journey_stage=JourneyStage.FIRST_TRAINING, last_activity_at=timezone.now() - timedelta(days=3))
    with after_commit():
        events.publish(events.ASSIGNMENT_PASSED, data={**ASSIGNMENT, "best_score": 82}, user_id=rep.pk)
    rep.refresh_from_db()
    assert rep.journey_stage == JourneyStage.ACTIVE_TRAINEE
    assert rep.last_activity_at > timezone.now() - timedelta(minutes=1)
    assert ActivityLog.objects.get(user=rep).metadata["best_score"] == 82
