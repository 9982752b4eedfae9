from celery import shared_task

from training import services


@shared_task(name="training.tasks.abandon_idle_sessions", ignore_result=True)
def abandon_idle_sessions() -> int:
    return services.sessions_abandon_idle()
