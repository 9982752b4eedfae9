from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.tasks.flush_expired_tokens", ignore_result=True)
def flush_expired_tokens() -> None:
    """simplejwt's own cleanup of expired outstanding and blacklisted tokens (beat, daily)."""
    call_command("flushexpiredtokens")
