"""``python manage.py seed_email_templates``: the built-in template of every trigger.

Idempotent: existing templates (perhaps edited by staff) are left alone unless ``--reset``."""

from __future__ import annotations

from core.commands import DatabaseCommand
from emails_app import services


class Command(DatabaseCommand):
    help = "Create the default email template of every trigger that has none (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", action="store_true", help="Also overwrite existing templates with the defaults.")

    def handle(self, *args, reset: bool, **options) -> None:
        created, overwritten = services.templates_seed(reset=reset)
        self.stdout.write(f"Email templates: {created} created, {overwritten} reset to the defaults.")
