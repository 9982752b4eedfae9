from io import StringIO

import pytest
from django.core.management import call_command

from emails_app import rendering
from emails_app.models import EmailTemplate, Trigger

pytestmark = pytest.mark.django_db


def test_seed_email_templates_creates_every_trigger_once_and_keeps_staff_edits():
    out = StringIO()
    call_command("seed_email_templates", stdout=out)
    assert f"{len(Trigger.values)} created" in out.getvalue()
    assert set(EmailTemplate.objects.values_list("trigger", flat=True)) == set(Trigger.values)
    EmailTemplate.objects.filter(trigger="welcome").update(subject="Edited")
    call_command("seed_email_templates", stdout=StringIO())
    assert EmailTemplate.objects.count() == len(Trigger.values)
    assert EmailTemplate.objects.get(trigger="welcome").subject == "Edited"
    call_command("seed_email_templates", "--reset", stdout=StringIO())
    assert EmailTemplate.objects.get(trigger="welcome").subject != "Edited"


def test_the_default_templates_compile_and_render_on_the_sample_context():
    call_command("seed_email_templates", stdout=StringIO())
    for template in EmailTemplate.objects.all():
        assert (
            rendering.template_errors(
                subject=template.subject, body_html=template.body_html, body_text=template.body_text
            )
            == {}
        )
