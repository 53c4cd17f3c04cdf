"""Run the staleness flagging once, now: for cron users and the demo (beat runs it daily)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from legality.locks import run_job
from legality.staleness import flag_stale_entries


class Command(BaseCommand):
    help = (
        "Flag overdue entries and dated changes that took effect; close flags that no longer hold."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="Judge staleness on this day (YYYY-MM-DD)."
        )

    def handle(self, *args, as_of: date | None, **options) -> None:
        today = as_of or timezone.localdate()
        job = run_job(
            "flag_stale_entries", lambda: flag_stale_entries(today=today), trigger="command"
        )
        if job.is_skipped:
            raise CommandError(job.refusal)
        run = job.result
        opened = ", ".join(f"{n} {reason}" for reason, n in run.opened.items())
        closed = ", ".join(f"{n} {reason}" for reason, n in run.closed.items())
        self.stdout.write(f"Flags as of {today.isoformat()}: opened {opened}; closed {closed}.")
