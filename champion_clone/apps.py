from django.apps import AppConfig


class ChampionCloneConfig(AppConfig):
    """The project package as an app: the one place that wires event subscribers."""

    name = "champion_clone"
    verbose_name = "Champion Clone"

    def ready(self) -> None:
        from champion_clone import subscriptions

        subscriptions.connect_all()
