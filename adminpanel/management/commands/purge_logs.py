"""``python manage.py purge_logs [--dry-run]``: delete activity, error, email, webhook-delivery
and audit entries older than their retention (settings.LOG_RETENTION_DAYS)."""

from __future__ import annotations

from django.conf import settings

from adminpanel import services
from core.commands import DatabaseCommand


class Command(DatabaseCommand):
    help = "Delete log entries older than their retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        counts = services.logs_purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for kind, count in counts.items():
            self.stdout.write(f"{kind:<20} {verb} {count} (older than {settings.LOG_RETENTION_DAYS[kind]} days)")
