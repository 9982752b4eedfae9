"""What an email may show: the plain context of each trigger, and the absolute links back to
this site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from accounts import verification
from accounts.models import Plan, SubscriptionStatus, User
from emails_app import defaults, rendering, tokens
from emails_app.models import Trigger

SITE_NAME = "Champion Clone"


def _label(choices, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def context_for(*, user: User, trigger: str, event_data: dict[str, Any]) -> dict[str, Any]:
    """The plain context of one email: strings and numbers only, and only the variables
    documented for the trigger (``rendering.variables_for``)."""
    if trigger == defaults.VERIFY_EMAIL:
        return verification_context(user=user)
    app_url = settings.FRONTEND_URL
    first_name = user.full_name.split()[0] if user.full_name.strip() else "there"
    context: dict[str, Any] = {
        "user_name": user.full_name or user.email.split("@")[0],
        "first_name": first_name,
        "user_email": user.email,
        "site_name": SITE_NAME,
        "app_url": app_url,
    }
    data = event_data
    champion_id = data.get("champion_id")
    if trigger == Trigger.WELCOME:
        context["plan"] = _label(Plan, data.get("plan") or user.subscription_plan)
    elif trigger in (Trigger.CHAMPION_READY, Trigger.CHAMPION_FAILED):
        context["champion_name"] = str(data.get("name") or "your champion")[:200]
        context["champion_url"] = f"{app_url}/champions/{champion_id}" if champion_id else app_url
        if trigger == Trigger.CHAMPION_READY:
            context["patterns_count"] = int(data.get("patterns") or 0)
            context["scenarios_count"] = int(data.get("scenarios") or 0)
        else:
            context["error_message"] = str(data.get("error") or "")[:500]
    elif trigger == Trigger.TRAINING_COMPLETED:
        score = data.get("overall_score")
        context["champion_name"] = str(data.get("champion_name") or "your champion")[:200]
        context["score"] = round(float(score)) if score is not None else ""
        context["outcome"] = str(data.get("outcome") or "")
        session_id = data.get("session_id")
        context["session_url"] = f"{app_url}/training/sessions/{session_id}" if session_id else app_url
    elif trigger == Trigger.SUBSCRIPTION_CHANGED:
        context["from_plan"] = _label(Plan, data.get("from_plan"))
        context["to_plan"] = _label(Plan, data.get("to_plan") or user.subscription_plan)
        context["subscription_status"] = _label(SubscriptionStatus, data.get("to_status") or user.subscription_status)
        context["change"] = str(data.get("event_type") or "")
    elif trigger == Trigger.INACTIVE_REMINDER:
        context["days_inactive"] = int(data.get("days_inactive") or settings.EMAIL_INACTIVE_DAYS)
    elif trigger in (Trigger.ASSIGNMENT_CREATED, Trigger.ASSIGNMENT_DUE_SOON):
        context.update(assignment_context(data, app_url=app_url))
    allowed = rendering.variables_for(trigger)
    return {name: value for name, value in context.items() if name in allowed}


def due_date_label(iso: object) -> str:
    """'Friday 12 December 2026, 17:00 UTC' (accounts have no time zone of their own)."""
    try:
        moment = datetime.fromisoformat(str(iso))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def assignment_context(data: dict[str, Any], *, app_url: str) -> dict[str, Any]:
    """The names come from a manager: links removed before they reach the assignee."""
    return {
        "team_name": rendering.without_links(str(data.get("team_name") or "")) or "your team",
        "champion_name": rendering.without_links(str(data.get("champion_name") or "")) or "your champion",
        "scenario_title": rendering.without_links(str(data.get("scenario_title") or "")) or "a scenario",
        "due_date": due_date_label(data.get("due_at")),
        "pass_score": int(data.get("pass_score") or 0),
        "min_attempts": int(data.get("min_attempts") or 1),
        "assignment_url": f"{app_url}/assignments",
    }


def verification_context(*, user: User) -> dict[str, Any]:
    """The verification email's context: the site's name and the signed link, nothing a user
    typed (not their name; their address only as the recipient, and not even inside the
    token). The link opens the front end's page, which posts the token to /auth/verify-email."""
    token = verification.email_verification_token(user)
    return {
        "site_name": SITE_NAME,
        "verify_url": f"{settings.FRONTEND_URL}/verify-email?{urlencode({'token': token})}",
        "expires_in_hours": int(verification.MAX_AGE.total_seconds() // 3600),
    }


def absolute_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def unsubscribe_url(user_id: int) -> str:
    return absolute_url(reverse("emails:unsubscribe", args=[tokens.unsubscribe_token(user_id)]))
