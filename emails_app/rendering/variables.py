"""What a staff-written email template may show: the variables of each trigger, the sample
values of the admin's preview and of the check at save time, and the variables that hold
links this product made (the only ones an ``href`` may use, ``rendering.links``)."""

from __future__ import annotations

from typing import Any

from emails_app.models import Trigger

COMMON_VARIABLES = {
    "user_name": "The user's full name (or the start of their email address)",
    "first_name": "The user's first name (or 'there')",
    "user_email": "The user's email address",
    "site_name": "Champion Clone",
    "app_url": "Link to the web app",
}
# The team, champion and scenario names are typed by a manager: they reach the assignee
# without anything that looks like a link (``rendering.text.without_links``).
ASSIGNMENT_VARIABLES = {
    "team_name": "The team's name (links removed)",
    "champion_name": "The champion to practise against (links removed)",
    "scenario_title": "The scenario to practise (links removed)",
    "due_date": "When it is due, e.g. 'Friday 12 December 2026, 17:00 UTC'",
    "pass_score": "The score to reach, 0 to 100",
    "min_attempts": "The number of completed sessions required",
    "assignment_url": "Link to the user's assignments in the app",
}
# What each trigger adds to the common variables.
TRIGGER_VARIABLES: dict[str, dict[str, str]] = {
    Trigger.WELCOME: {"plan": "The user's plan"},
    Trigger.CHAMPION_READY: {
        "champion_name": "The champion's name",
        "champion_url": "Link to the champion in the app",
        "patterns_count": "Number of sales patterns found",
        "scenarios_count": "Number of practice scenarios",
    },
    Trigger.CHAMPION_FAILED: {
        "champion_name": "The champion's name",
        "champion_url": "Link to the champion in the app",
        "error_message": "What went wrong, in words (never a stack trace)",
    },
    Trigger.TRAINING_COMPLETED: {
        "champion_name": "The champion practised against",
        "score": "The overall score, 0 to 100",
        "outcome": "won, lost or empty",
        "session_url": "Link to the session in the app",
    },
    Trigger.SUBSCRIPTION_CHANGED: {
        "from_plan": "The previous plan",
        "to_plan": "The new plan",
        "subscription_status": "The subscription status now",
        "change": "upgrade, downgrade or status_change",
    },
    Trigger.INACTIVE_REMINDER: {"days_inactive": "Days since the user's last activity"},
    Trigger.ASSIGNMENT_CREATED: ASSIGNMENT_VARIABLES,
    Trigger.ASSIGNMENT_DUE_SOON: ASSIGNMENT_VARIABLES,
}

SAMPLE_CONTEXT: dict[str, Any] = {
    "user_name": "Alex Martin",
    "first_name": "Alex",
    "user_email": "alex.martin@example.com",
    "site_name": "Champion Clone",
    "app_url": "https://app.example.com",
    "plan": "Pro",
    "champion_name": "Sarah's discovery call",
    "champion_url": "https://app.example.com/champions/42",
    "patterns_count": 18,
    "scenarios_count": 4,
    "error_message": "The recording has no audio track.",
    "score": 82,
    "outcome": "won",
    "session_url": "https://app.example.com/training/sessions/7",
    "from_plan": "Starter",
    "to_plan": "Pro",
    "subscription_status": "Active",
    "change": "upgrade",
    "days_inactive": 21,
    "team_name": "West Coast Sales",
    "scenario_title": "Price objection from a CFO",
    "due_date": "Friday 12 December 2026, 17:00 UTC",
    "pass_score": 70,
    "min_attempts": 2,
    "assignment_url": "https://app.example.com/assignments",
}

# Built by ``context_for`` from FRONTEND_URL and ids, never from what a user typed.
LINK_VARIABLES = frozenset({"app_url", "champion_url", "session_url", "assignment_url"})


def variables_for(trigger: str) -> dict[str, str]:
    return {**COMMON_VARIABLES, **TRIGGER_VARIABLES.get(trigger, {})}
