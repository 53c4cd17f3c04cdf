"""Restore a backup made by backup_database into a new, empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legality.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup_database file into the configured database, which must be new and "
        "empty (do not run migrate first). Refuses a database that has tables."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="The backup file.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            run = restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {run.tables} tables, {run.rows} rows, from {run.path}.")
