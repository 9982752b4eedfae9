from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class WebhooksAppConfig(AppConfig):
    name = "webhooks_app"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Services and subscribers enqueue tasks by their registered name (README.md,
        # "Architecture"): the task module is imported here so that every process, not only
        # the worker, has them in Celery's registry.
        from webhooks_app import network, tasks  # noqa: F401
        from webhooks_app.models import WebhookEndpoint

        # A typo in the CIDR list must stop start-up, not fail every delivery later.
        try:
            network.allowed_networks()
        except ValueError as exc:
            raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {exc}") from exc

        # The report's WEBHOOK_CREATE / UPDATE / DELETE. Only what staff set is audited: the
        # secrets never (regeneration is logged explicitly by the service, without them), and
        # not the failure counters that every delivery moves.
        auditlog.register(
            WebhookEndpoint, include_fields=["name", "url", "event_types", "is_active", "disabled_reason"]
        )
