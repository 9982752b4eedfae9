"""The built-in templates: what ``seed_email_templates`` writes, and what is sent for a trigger
that has no template row yet (an inactive row, by contrast, sends nothing).

The verification email (``VERIFY_EMAIL``) and the team invitation (``TEAM_INVITATION``) are
built in only: not among the staff's editable triggers, never seeded nor overridden by a row,
so that what reaches an address nobody has confirmed yet is this fixed text, with no value a
user typed but, in an invitation, the team's name stripped of links (README.md, "Email
verification" and "Teams")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from emails_app.models import Trigger

DEFAULTS_DIR = Path(settings.BASE_DIR) / "templates" / "emails" / "defaults"

# Logged under this trigger name in EmailLog like the lifecycle emails.
VERIFY_EMAIL = "verify_email"
# A team invitation, to an address that may have no account: built in only too, for the same
# reason (README.md, "Teams"). Its only user-typed value is the team's name, links removed.
TEAM_INVITATION = "team_invitation"

SUBJECTS = {
    Trigger.WELCOME: "Welcome to {{ site_name }}, {{ first_name }}",
    Trigger.CHAMPION_READY: "{{ champion_name }} is ready to practise against",
    Trigger.CHAMPION_FAILED: "We could not analyse {{ champion_name }}",
    Trigger.TRAINING_COMPLETED: "Your practice against {{ champion_name }}: {{ score }}/100",
    Trigger.INACTIVE_REMINDER: "{{ first_name }}, your champion is waiting",
    Trigger.SUBSCRIPTION_CHANGED: "Your {{ site_name }} plan: {{ to_plan }}",
    Trigger.ASSIGNMENT_CREATED: "New practice for you: {{ scenario_title }}",
    Trigger.ASSIGNMENT_DUE_SOON: "Due tomorrow: your practice on {{ scenario_title }}",
    VERIFY_EMAIL: "Confirm your email address for {{ site_name }}",
    TEAM_INVITATION: "You are invited to join a team on {{ site_name }}",
}


@dataclass(frozen=True)
class DefaultTemplate:
    trigger: str
    subject: str
    body_html: str
    body_text: str = ""  # derived from the HTML


@cache
def default_template(trigger: str) -> DefaultTemplate:
    return DefaultTemplate(
        trigger=trigger,
        subject=SUBJECTS[trigger],
        body_html=(DEFAULTS_DIR / f"{trigger}.html").read_text(encoding="utf-8"),
    )
