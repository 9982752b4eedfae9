import factory

from accounts.tests.factories import UserFactory
from adminpanel.models import ActivityLog, AdminAlert, AdminNote, ErrorLog


class ErrorLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErrorLog

    error_type = "RuntimeError"
    message = factory.Sequence(lambda n: f"Something broke #{n}")
    stack_trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: boom'
    request_path = "/upload"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminAlert

    type = "webhook.delivery_failed"
    severity = AdminAlert.Severity.WARNING
    message = factory.Sequence(lambda n: f"Delivery {n} failed for good")


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminNote

    user = factory.SubFactory(UserFactory)
    content = "Called about the invoice."


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLog

    user = factory.SubFactory(UserFactory)
    action = "user.login"
    ip_address = "10.0.0.1"
