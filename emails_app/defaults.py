"""The built-in templates: what ``seed_email_templates`` writes, and what is sent for a trigger
that has no template row yet (an inactive row, by contrast, sends nothing).

The verification email (``VERIFY_EMAIL``) is built in only: it is not one of the staff's
editable triggers, never seeded nor overridden by a row, so that what reaches an address nobody
has confirmed yet is this fixed text, with no value a user typed (README.md, "Email
verification")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from emails_app.models import Trigger

DEFAULTS_DIR = Path(settings.BASE_DIR) / "templates" / "emails" / "defaults"

# Logged under this trigger name in EmailLog like the lifecycle emails.
VERIFY_EMAIL = "verify_email"

SUBJECTS = {
    Trigger.WELCOME: "Welcome to {{ site_name }}, {{ first_name }}",
    Trigger.CHAMPION_READY: "{{ champion_name }} is ready to practise against",
    Trigger.CHAMPION_FAILED: "We could not analyse {{ champion_name }}",
    Trigger.TRAINING_COMPLETED: "Your practice against {{ champion_name }}: {{ score }}/100",
    Trigger.INACTIVE_REMINDER: "{{ first_name }}, your champion is waiting",
    Trigger.SUBSCRIPTION_CHANGED: "Your {{ site_name }} plan: {{ to_plan }}",
    VERIFY_EMAIL: "Confirm your email address for {{ site_name }}",
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
