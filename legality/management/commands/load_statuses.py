"""Load the legal statuses shipped in legality/data/statuses/, or the YAML files given."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legality.dataset import DatasetError, load_statuses, shipped_files
from legality.models import LegalStatus


class Command(BaseCommand):
    help = (
        "Load legal statuses and their sources from YAML seed files (default: the shipped "
        "legality/data/statuses/*.yaml), after load_jurisdictions. Checks every record first "
        "and writes nothing if any is wrong; rerunning changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="YAML files to load instead.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a database without statuses, so a restart never overwrites "
            "what curators changed in the admin (make run uses this).",
        )

    def handle(self, *args, paths: list[Path], verbosity: int, if_empty: bool, **options) -> None:
        started = time.monotonic()
        if if_empty and (existing := LegalStatus.objects.count()):
            self.stdout.write(
                f"{existing} statuses are already loaded: left as they are. Run load_statuses "
                "without --if-empty to load the shipped files over them."
            )
            return
        try:
            result = load_statuses(paths or shipped_files())
        except DatasetError as error:
            raise CommandError(f"Nothing was loaded:\n{error}") from None
        if verbosity >= 2:
            for note in result.notes:
                self.stdout.write(note)
            self.stdout.write(
                f"sources: created {result.sources_created}, updated {result.sources_updated}; "
                f"review flags raised {result.flags_created}; "
                f"jurisdictions added {result.jurisdictions_created}"
            )
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged} in {time.monotonic() - started:.1f} s"
        )
