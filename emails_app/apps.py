from django.apps import AppConfig


class EmailsAppConfig(AppConfig):
    name = "emails_app"
    verbose_name = "Emails"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Services and subscribers enqueue tasks by their registered name (README.md,
        # "Architecture"): the task module is imported here so that every process, not only
        # the worker, has them in Celery's registry.
        from emails_app import tasks  # noqa: F401
        from emails_app.models import EmailPreference, EmailTemplate

        # The report's EMAIL_TEMPLATE_CREATE / UPDATE / DELETE.
        auditlog.register(EmailTemplate, exclude_fields=["updated_at"])
        # Consent: who unsubscribed or subscribed a user again, and when.
        auditlog.register(EmailPreference, include_fields=["unsubscribed_at", "source"])
