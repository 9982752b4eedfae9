"""The team invitation email (README.md, "Teams"): sent once to the invited address (an
account or not), a link whose token ``teams.services.invitation_accept`` takes, the team's name
without links or HTML and no other text a user typed; never sent for an invitation that is
over; retried like the lifecycle emails. Sent to a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from emails_app import services, tasks
from emails_app.models import EmailLog
from teams import services as team_services
from teams.tests.factories import team_with

pytestmark = pytest.mark.django_db

ACCEPT_LINK = re.compile(r"https://app\.example\.com/invitations/accept\?token=([^\s\"'<>&)]+)")
HOSTILE_TEAM_NAME = "Visit evil.com http://x.y <b>now</b>"


@pytest.fixture
def deliver_now(eager_celery, django_capture_on_commit_callbacks):
    """Invite inside this: after commit, the enqueued task runs in-process."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def manager():
    return UserFactory(full_name="Mallory http://phish.example/login", email="boss@acme.example")


def invite(deliver_now, manager, *, team_name: str = "Sales East", email: str = "New.Rep@Example.org", role="rep"):
    team = team_with(manager, name=team_name)
    with deliver_now():
        invitation = team_services.invitation_create(team=team, invited_by=manager, email=email, role=role)
    return team, invitation


def whole_message(received) -> str:
    return received.message.as_string() + received.part("text/html") + received.part("text/plain")


def test_the_invitation_reaches_an_address_without_account_once_with_a_token_that_joins_the_team(
    smtp_server, deliver_now, manager
):
    team, invitation = invite(deliver_now, manager, role="manager")
    [received] = smtp_server.wait_for(1)
    assert received.recipients == ["New.Rep@example.org"]
    assert received.message["Subject"] == "You are invited to join a team on Champion Clone"
    html, text = received.part("text/html"), received.part("text/plain")
    assert "Sales East" in html and "Sales East" in text
    assert "as a manager" in text and "7 days" in text
    [token] = set(ACCEPT_LINK.findall(text))
    assert token in html
    # No account: no unsubscribe link or header, no tracking pixel, the token kept in no log.
    assert "List-Unsubscribe" not in received.message and "/emails/o/" not in html
    log = EmailLog.objects.get()
    assert (log.user, log.trigger, log.recipient, log.status) == (None, "team_invitation", invitation.email, "sent")
    assert log.links == [] and token not in str(log.links)
    # A redelivered task sends nothing more.
    tasks.send_team_invitation.apply(args=[invitation.pk])
    services.team_invitation_send(invitation_id=invitation.pk)
    assert len(smtp_server.messages) == 1 and EmailLog.objects.count() == 1
    # The link's token is what accepting takes, for the account of the invited address.
    invited = UserFactory(email="new.rep@example.org")
    assert team_services.invitation_accept(user=invited, token=unquote(token)).pk == team.pk


def test_the_team_name_shows_without_links_or_html_and_the_inviter_is_not_named(smtp_server, deliver_now, manager):
    invite(deliver_now, manager, team_name=HOSTILE_TEAM_NAME)
    [received] = smtp_server.wait_for(1)
    everything = whole_message(received)
    for hostile in ("evil.com", "x.y", "http://x", "<b>", "&lt;b&gt;", "Mallory", "phish", "boss@"):
        assert hostile not in everything, hostile
    html, text = received.part("text/html"), received.part("text/plain")
    assert "<strong>Visit now</strong>" in html and "Visit now" in text
    # The only link of the body is the accept link.
    body_links = re.findall(r'href="([^"]+)"', html)
    assert len(body_links) == 1 and ACCEPT_LINK.match(body_links[0].replace("&amp;", "&"))


@pytest.mark.parametrize("ended", ["revoked", "accepted", "expired"])
def test_an_invitation_that_is_over_is_never_sent(smtp_server, eager_celery, manager, ended):
    team = team_with(manager)
    invitation = team_services.invitation_create(team=team, invited_by=manager, email="late@example.org", role="rep")
    now = timezone.now()
    if ended == "revoked":
        invitation.revoked_at = now
    elif ended == "accepted":
        invitation.accepted_at = now
    else:
        invitation.expires_at = now - timedelta(seconds=1)
    invitation.save()
    tasks.send_team_invitation.apply(args=[invitation.pk])
    log = EmailLog.objects.get()
    assert log.status == "suppressed" and ended[:6] in log.error.lower()
    assert smtp_server.messages == []


def test_an_address_whose_account_unsubscribed_gets_no_invitation(smtp_server, eager_celery, manager):
    account = UserFactory(email="quiet@example.org")
    services.email_unsubscribe(user_id=account.pk)
    team = team_with(manager)
    invitation = team_services.invitation_create(team=team, invited_by=manager, email="quiet@example.org", role="rep")
    tasks.send_team_invitation.apply(args=[invitation.pk])
    assert EmailLog.objects.get(trigger="team_invitation").status == "suppressed"
    assert smtp_server.messages == []


def test_the_invitation_is_retried_on_transient_errors_then_sent_once(smtp_server, eager_celery, manager):
    assert tasks.send_team_invitation.acks_late
    team = team_with(manager)
    invitation = team_services.invitation_create(team=team, invited_by=manager, email="busy@example.org", role="rep")
    smtp_server.refuse("421 4.7.0 Too busy", times=2)
    tasks.send_team_invitation.apply(args=[invitation.pk])
    assert len(smtp_server.wait_for(1)) == 1
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == ("sent", 3)
