"""Writes of email templates: validated (compiled and test-rendered) before they are saved,
and the built-in defaults seeded."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.errors import InvalidInput
from emails_app import defaults, rendering
from emails_app.models import EmailTemplate, Trigger


def _template_validate(*, subject: str, body_html: str, body_text: str) -> None:
    if errors := rendering.template_errors(subject=subject, body_html=body_html, body_text=body_text):
        raise InvalidInput(next(iter(errors.values())), fields={field: [message] for field, message in errors.items()})


@transaction.atomic
def template_save(*, template: EmailTemplate) -> EmailTemplate:
    """Validates (compiles and test-renders every part) and saves a new or changed template."""
    _template_validate(subject=template.subject, body_html=template.body_html, body_text=template.body_text)
    template.full_clean()
    template.save()
    return template


def template_create(
    *, trigger: str, subject: str, body_html: str, body_text: str = "", is_active: bool = True
) -> EmailTemplate:
    return template_save(
        template=EmailTemplate(
            trigger=trigger, subject=subject, body_html=body_html, body_text=body_text, is_active=is_active
        )
    )


def template_update(*, template: EmailTemplate, **changes: Any) -> EmailTemplate:
    allowed = {"trigger", "subject", "body_html", "body_text", "is_active"}
    if unexpected := set(changes) - allowed:
        raise ValueError(f"not editable: {', '.join(sorted(unexpected))}")
    for field, value in changes.items():
        setattr(template, field, value)
    return template_save(template=template)


def template_delete(*, template: EmailTemplate) -> None:
    template.delete()


def templates_seed(*, reset: bool = False) -> tuple[int, int]:
    """Creates the built-in template of every trigger that has none (with ``reset``, also
    overwrites existing ones). Returns (created, reset)."""
    created = overwritten = 0
    for trigger in Trigger.values:
        default = defaults.default_template(trigger)
        values = {"subject": default.subject, "body_html": default.body_html, "body_text": default.body_text}
        template = EmailTemplate.objects.filter(trigger=trigger).first()
        if template is None:
            template_create(trigger=trigger, **values)
            created += 1
        elif reset:
            template_update(template=template, is_active=True, **values)
            overwritten += 1
    return created, overwritten
