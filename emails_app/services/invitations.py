"""The team invitation email (README.md, "Teams"): to the invited address, which may have no
account yet, once per invitation, never once the invitation is revoked, used or expired.

Its log has no user (the address is not an account's, or not yet) and is unique on trigger
and invitation: a redelivered task finds it claimed or sent and sends nothing more. The text is
built in (``defaults.TEAM_INVITATION``); the only value a user typed is the team's name,
without anything that looks like a link, and the inviter is not named.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import structlog
from django.conf import settings
from django.db import IntegrityError
from django.db.models import F

from accounts.models import User
from emails_app import defaults, rendering
from emails_app.models import EmailLog
from emails_app.services.context import SITE_NAME
from emails_app.services.sending import is_unsubscribed, log_render_and_deliver, log_suppress
from teams import invitations
from teams.models import Invitation, Role

logger = structlog.get_logger(__name__)

ROLE_PHRASES = {Role.MANAGER: "a manager", Role.REP: "a rep"}


def invitation_dedupe_key(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


def invitation_accept_url(invitation: Invitation) -> str:
    token = invitations.invitation_token(invitation.pk, invitation.nonce)
    return f"{settings.FRONTEND_URL}/invitations/accept?{urlencode({'token': token})}"


def invitation_context(invitation: Invitation) -> dict[str, Any]:
    return {
        "site_name": SITE_NAME,
        "team_name": rendering.without_links(invitation.team.name) or "a team",
        "role": ROLE_PHRASES.get(invitation.role, "a member"),
        "accept_url": invitation_accept_url(invitation),
        "expires_in_days": invitations.INVITATION_DAYS,
    }


def _suppression_reason(invitation: Invitation) -> str:
    """Why the invitation is not sent ("" when it is): it is over, or the address belongs to
    an account that unsubscribed or was deactivated (its choice, or staff's, stands)."""
    if invitation.revoked_at is not None:
        return "The invitation was revoked."
    if invitation.accepted_at is not None:
        return "The invitation was accepted already."
    if not invitation.is_pending:
        return "The invitation has expired."
    account = User.objects.filter(email__iexact=invitation.email).only("id", "is_active").first()
    if account is not None and not account.is_active:
        return "The account of this address is inactive."
    if account is not None and is_unsubscribed(account.pk):
        return "The account of this address unsubscribed."
    return ""


def _log_for(invitation: Invitation) -> EmailLog:
    key = invitation_dedupe_key(invitation.pk)
    try:
        log, _ = EmailLog.objects.get_or_create(
            user=None, trigger=defaults.TEAM_INVITATION, dedupe_key=key, defaults={"recipient": invitation.email}
        )
    except IntegrityError:  # the same email, created concurrently by a duplicate task
        log = EmailLog.objects.get(user=None, trigger=defaults.TEAM_INVITATION, dedupe_key=key)
    return log


def team_invitation_send(*, invitation_id: int, final_attempt: bool = True) -> EmailLog | None:
    """Sends the invitation's email at most once (the lifecycle emails' claim, see
    ``sending.lifecycle_email_send``). A transient SMTP error puts the log back to ``queued``
    and raises TransientEmailError for the task to retry, unless ``final_attempt``."""
    invitation = Invitation.objects.select_related("team").filter(pk=invitation_id).first()
    if invitation is None:
        return None
    log = _log_for(invitation)
    if log.status != EmailLog.Status.QUEUED:
        return log  # sent, being sent, failed or suppressed already
    if reason := _suppression_reason(invitation):
        return log_suppress(log, reason)
    claimed = EmailLog.objects.filter(pk=log.pk, status=EmailLog.Status.QUEUED).update(
        status=EmailLog.Status.SENDING, attempts=F("attempts") + 1, recipient=invitation.email
    )
    if not claimed:
        return EmailLog.objects.get(pk=log.pk)
    return log_render_and_deliver(
        log,
        defaults.default_template(defaults.TEAM_INVITATION),
        invitation_context(invitation),
        final_attempt=final_attempt,
    )
