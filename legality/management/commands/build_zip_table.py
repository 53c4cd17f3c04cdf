"""Build the ZIP table now, if the data or the day changed: for cron users and the demo."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from legality.locks import run_once
from legality.zip_table import refresh_zip_table


class Command(BaseCommand):
    help = "Rebuild the ZIP table (every US ZIP code's answer) if the data or the day changed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Rebuild even if current.")

    def handle(self, *args, force: bool, **options) -> None:
        started = time.monotonic()
        today = timezone.localdate()
        run = run_once("refresh_zip_table", lambda: refresh_zip_table(today=today, force=force))
        if run is None:
            raise CommandError("Another build of the ZIP table is in progress; try later.")
        if not run.built:
            self.stdout.write(f"The ZIP table for {today} is current; nothing to do.")
            return
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Built the ZIP table for {today}: {run.zip_codes} ZIP codes in {seconds:.1f} s."
        )
