from django.apps import AppConfig


class EmailsAppConfig(AppConfig):
    name = "emails_app"
    verbose_name = "Emails"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from emails_app.models import EmailPreference, EmailTemplate

        # The report's EMAIL_TEMPLATE_CREATE / UPDATE / DELETE.
        auditlog.register(EmailTemplate, exclude_fields=["updated_at"])
        # Consent: who unsubscribed or subscribed a user again, and when.
        auditlog.register(EmailPreference, include_fields=["unsubscribed_at", "source"])
