from celery import shared_task

from training import services


@shared_task(name="training.tasks.abandon_idle_sessions", ignore_result=True)
def abandon_idle_sessions() -> int:
    return services.sessions_abandon_idle()


@shared_task(name="training.tasks.sweep_assignments", ignore_result=True)
def sweep_assignments() -> dict[str, int]:
    """Beat, every 15 minutes: an assignment's reminder a day before it is due, and its overdue
    notice after (each once per assignee, however often this runs)."""
    return services.assignments_sweep()
