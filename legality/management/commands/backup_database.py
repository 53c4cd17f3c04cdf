"""Write a snapshot of the whole database to a file (pg_dump, or SQLite's online backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legality.backups import BackupError, back_up


class Command(BaseCommand):
    help = (
        "Back up the whole database, history included, while the site runs: a pg_dump archive "
        "on PostgreSQL (restore with restore_database or pg_restore), a SQLite file otherwise."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="The file to write.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            run = back_up(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up {run.tables} tables, {run.rows} rows, to {run.path}.")
