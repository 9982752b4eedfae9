from django.apps import AppConfig


class ChampionsConfig(AppConfig):
    name = "champions"
    verbose_name = "Champions"

    def ready(self) -> None:
        from accounts.signals import user_deleting
        from champions import receivers

        user_deleting.connect(receivers.delete_champions_of_deleted_user, dispatch_uid="champions.user_deleting")
