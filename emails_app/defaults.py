"""The built-in templates: what ``seed_email_templates`` writes, and what is sent for a trigger
that has no template row yet (an inactive row, by contrast, sends nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from emails_app.models import Trigger

DEFAULTS_DIR = Path(settings.BASE_DIR) / "templates" / "emails" / "defaults"

SUBJECTS = {
    Trigger.WELCOME: "Welcome to {{ site_name }}, {{ first_name }}",
    Trigger.CHAMPION_READY: "{{ champion_name }} is ready to practise against",
    Trigger.CHAMPION_FAILED: "We could not analyse {{ champion_name }}",
    Trigger.TRAINING_COMPLETED: "Your practice against {{ champion_name }}: {{ score }}/100",
    Trigger.INACTIVE_REMINDER: "{{ first_name }}, your champion is waiting",
    Trigger.SUBSCRIPTION_CHANGED: "Your {{ site_name }} plan: {{ to_plan }}",
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
