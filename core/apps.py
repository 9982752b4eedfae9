from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared layer below every app: errors, domain events, operations facilities (alerts,
    error records, audit entries), the API's base classes, enqueueing, uploads."""

    name = "core"
    verbose_name = "Core"
