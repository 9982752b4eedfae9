"""The base of the management commands that read or write the app's tables.

An operator who runs one on a fresh checkout before ``migrate``, or with ``DATABASE_URL``
pointing at a server that is down, gets one line saying so and exit status 1, instead of the
ORM's traceback ("no such table: accounts_user") from somewhere inside the command.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


class DatabaseCommand(BaseCommand):
    """A command that needs every migration applied before it touches the database."""

    def execute(self, *args: object, **options: object) -> str | None:
        require_migrated_database(str(options.get("database") or DEFAULT_DB_ALIAS))
        return super().execute(*args, **options)


def require_migrated_database(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise :class:`CommandError` unless the database answers and has every migration on disk
    applied (the check Django's own ``migrate --check`` makes)."""
    connection = connections[alias]
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"the database ({_described(connection)}) cannot be reached: {exc}") from exc
    if unapplied:
        raise CommandError(
            f"the database ({_described(connection)}) has {len(unapplied)} unapplied migration(s): "
            "run `python manage.py migrate` first"
        )


def _described(connection) -> str:
    """The database's engine and name, never its password (``DATABASE_URL`` may carry one)."""
    settings = connection.settings_dict
    host = f"{settings['HOST']}:{settings['PORT']}/" if settings.get("HOST") else ""
    return f"{connection.vendor} {host}{settings['NAME']}"
