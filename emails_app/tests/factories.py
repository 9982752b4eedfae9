"""Email templates, logs and preferences for tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from emails_app import services
from emails_app.models import EmailLog, EmailPreference, EmailTemplate, Trigger


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    """``services.template_create``: a template that compiles and renders, or is refused."""

    class Meta:
        model = EmailTemplate

    trigger = Trigger.WELCOME
    subject = "Hi {{ first_name }}"
    body_html = "<p>Welcome {{ user_name }}</p>"
    body_text = ""
    is_active = True

    @classmethod
    def _create(cls, model_class, **fields) -> EmailTemplate:
        return services.template_create(**fields)


class EmailLogFactory(factory.django.DjangoModelFactory):
    """A log row as the sender creates it (queued unless told otherwise), without sending."""

    class Meta:
        model = EmailLog

    user = factory.SubFactory(UserFactory)
    trigger = Trigger.WELCOME
    dedupe_key = factory.Sequence(lambda n: f"event{n}")
    recipient = factory.LazyAttribute(lambda log: log.user.email)


class EmailPreferenceFactory(factory.django.DjangoModelFactory):
    """An unsubscribed user."""

    class Meta:
        model = EmailPreference

    user = factory.SubFactory(UserFactory)
    unsubscribed_at = factory.LazyFunction(timezone.now)
    source = EmailPreference.Source.LINK
