from django.apps import AppConfig


class WebhooksAppConfig(AppConfig):
    name = "webhooks_app"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from webhooks_app.models import WebhookEndpoint

        # The report's WEBHOOK_CREATE / UPDATE / DELETE. Only what staff set is audited: the
        # secrets never (regeneration is logged explicitly by the service, without them), and
        # not the failure counters that every delivery moves.
        auditlog.register(WebhookEndpoint, include_fields=["name", "url", "event_types", "is_active", "disabled_reason"])
