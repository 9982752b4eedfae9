from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self) -> None:
        from champions.signals import champion_deleting
        from training import receivers

        champion_deleting.connect(
            receivers.practice_audio_of_deleted_champion, dispatch_uid="training.champion_deleting"
        )
