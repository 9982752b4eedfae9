"""``python manage.py create_admin --email E [--generate]``: a staff superuser for the admin.

Without --generate the password is asked for twice (never on the command line, where shell
history would keep it). A generated password is printed once, to the terminal only.
"""

from __future__ import annotations

import getpass

from django.core.management.base import CommandError

from accounts import services
from accounts.passwords import generate_password
from core.commands import DatabaseCommand
from core.errors import InvalidInput


class Command(DatabaseCommand):
    help = "Create (or promote) a staff superuser for /django-admin/."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--generate", action="store_true", help="Generate a strong password and print it once.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when the account already exists (for `make run`)."
        )

    def handle(self, *args, email: str, full_name: str, generate: bool, if_missing: bool, **options) -> None:
        from accounts.models import User, normalize_email

        if if_missing and User.objects.filter(email=normalize_email(email), is_staff=True).exists():
            self.stdout.write(
                f"Staff account {normalize_email(email)} already exists (its password was printed when it was created; "
                f"run `python manage.py create_admin --email {normalize_email(email)} --generate` for a new one)."
            )
            return
        if generate:
            password = generate_password()
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user, created = services.admin_create(email=email, password=password, full_name=full_name)
        except InvalidInput as exc:
            raise CommandError("; ".join(exc.fields.get("password", [exc.message]))) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} staff superuser {user.email}."))
        if generate:
            # Printed once, to the terminal; never logged.
            self.stdout.write(f"Password (shown once): {password}")
