from celery import shared_task

from adminpanel import services


@shared_task(name="adminpanel.tasks.purge_old_logs", ignore_result=True)
def purge_old_logs() -> dict[str, int]:
    return services.logs_purge()
