"""Store today's staleness report and email it to the curators (beat runs it weekly)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from legality.locks import run_job
from legality.models import StalenessReport
from legality.reports import run_staleness_report


class Command(BaseCommand):
    help = "Store the staleness report of today (or --as-of) and email it to every active curator."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="Report on this day (YYYY-MM-DD)."
        )

    def handle(self, *args, as_of: date | None, **options) -> None:
        today = as_of or timezone.localdate()
        job = run_job(
            "staleness_report", lambda: run_staleness_report(today=today), trigger="command"
        )
        if job.is_skipped:
            raise CommandError(job.refusal)
        run = job.result
        made = "Stored" if run.is_new else "Found"
        self.stdout.write(
            f"{made} the staleness report of {today.isoformat()}: {run.entries} entries, "
            f"{run.open_flags} open flags."
        )
        # Read after the run: the email went out when its transaction committed.
        report = StalenessReport.objects.get(pk=run.report_id)
        if run.is_sent:
            self.stdout.write(
                f"It was already sent to {len(report.recipients)} curators "
                f"at {report.sent_at:%Y-%m-%d %H:%M}."
            )
        elif report.sent_at:
            self.stdout.write(f"Sent to {len(report.recipients)} curators.")
        else:
            self.stdout.write("Not sent: no active curator has an email address.")
