"""Load the legal statuses shipped in legality/data/statuses/, or the YAML files given."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legality.dataset import DatasetError, load_statuses, shipped_files


class Command(BaseCommand):
    help = (
        "Load legal statuses and their sources from YAML seed files (default: the shipped "
        "legality/data/statuses/*.yaml), after load_jurisdictions. Checks every record first "
        "and writes nothing if any is wrong; rerunning changes nothing. An entry a curator "
        "edited keeps the curator's values: a correction to it waits in a review flag."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="YAML files to load instead.")

    def handle(self, *args, paths: list[Path], verbosity: int, **options) -> None:
        started = time.monotonic()
        try:
            result = load_statuses(paths or shipped_files())
        except DatasetError as error:
            raise CommandError(f"Nothing was loaded:\n{error}") from None
        for warning in result.warnings:
            # Loaded all the same (the coding is what the sources say), with a review flag.
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if verbosity >= 2:
            for note in result.notes:
                self.stdout.write(note)
            self.stdout.write(
                f"sources: created {result.sources_created}, updated {result.sources_updated}; "
                f"review flags raised {result.flags_created}; "
                f"jurisdictions added {result.jurisdictions_created}"
            )
        held = f", held for a curator {result.held}" if result.held else ""
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}{held} in {time.monotonic() - started:.1f} s"
        )
