from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared layer below every app: errors, domain events, operations facilities (alerts,
    error records, audit entries), the API's base classes, enqueueing, uploads, metrics."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import metrics

        metrics.setup()
