from celery import shared_task

from adminpanel import services
from adminpanel.scoring_health.runs import scoring_health_run


@shared_task(name="adminpanel.tasks.purge_old_logs", ignore_result=True)
def purge_old_logs() -> dict[str, int]:
    return services.logs_purge()


# Well below training.services.health_runs.STALE_AFTER (30 min), after which a run counts as lost.
@shared_task(name="adminpanel.tasks.measure_judge", ignore_result=True, soft_time_limit=1200, time_limit=1260)
def measure_judge(run_id: int) -> bool:
    """The scoring-health page's measurement of the offline judge (claimed: runs once)."""
    return scoring_health_run(run_id)
