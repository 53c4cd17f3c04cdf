"""Check every source's URL once, now, and flag what it finds (beat runs it daily when enabled)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from legality.locks import run_job
from legality.sources import check_sources
from legality.tasks import CHECK_SOURCES_TIME_LIMIT


class Command(BaseCommand):
    help = (
        "Fetch every source URL, record the checks and flag entries whose sources fail or change. "
        "Runs even when SOURCE_CHECK_ENABLED (which only governs the schedule) is off."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--source",
            type=int,
            action="append",
            dest="source_ids",
            help="Check only this source id (repeatable).",
        )

    def handle(self, *args, source_ids: list[int] | None, **options) -> None:
        job = run_job(
            "check_sources",
            lambda: check_sources(now=timezone.now(), source_ids=source_ids),
            trigger="command",
            ttl=timedelta(seconds=CHECK_SOURCES_TIME_LIMIT + 60),
        )
        if job.is_skipped:
            raise CommandError(job.refusal)
        run = job.result
        self.stdout.write(
            f"Checked {run.checked} sources in {run.seconds:.1f} s: {run.reachable} reachable, "
            f"{run.failed} failed, {run.changed} changed. Flags opened: {run.flagged_unreachable} "
            f"source_unreachable, {run.flagged_changed} source_changed; closed: "
            f"{run.closed_unreachable} source_unreachable."
        )
