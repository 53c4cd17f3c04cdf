"""The weekly staleness report: what needs a curator, stored and emailed to every active curator.

`run_staleness_report()` is the job: it stores one StalenessReport per day and, once the
transaction commits, emails it (a summary, links into the admin and the full list as CSV) to the
active staff users in the Curators group who have an email address.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from legality.models import ReviewFlag, StalenessReport

CURATORS_GROUP = "Curators"
CSV_COLUMNS = [
    "entry_id",
    "jurisdiction",
    "ocd_id",
    "level",
    "substance",
    "status",
    "last_verified_at",
    "reasons",
    "flagged_since",
    "admin_url",
]
LISTED_IN_EMAIL = 20  # the oldest; the CSV has them all


@dataclass(frozen=True)
class ReportRun:
    """What a report run did. `is_new` is False when today's report already existed."""

    report_id: int
    as_of: date
    open_flags: int
    entries: int
    is_new: bool
    is_sent: bool

    @property
    def counts(self) -> dict[str, int | str | bool]:
        return {
            "report_id": self.report_id,
            "as_of": self.as_of.isoformat(),
            "open_flags": self.open_flags,
            "entries": self.entries,
            "is_new": self.is_new,
            "is_sent": self.is_sent,
        }


def run_staleness_report(*, today: date) -> ReportRun:
    """Store the staleness report of `today` and email it to the curators after commit.

    Idempotent per day: if `today`'s report exists it is not built again, and it is only sent
    if an earlier send failed or found no curator. The email is sent on commit, so a rolled-back
    run sends nothing; send_staleness_report() decides, with a conditional update, which run
    sends, so two runs never email the same report twice.
    """
    with transaction.atomic():
        report = StalenessReport.objects.filter(as_of=today).order_by("created_at").first()
        is_new = report is None
        if report is None:
            report = build_staleness_report(today=today)
        if report.sent_at is None:
            report_id = report.pk
            transaction.on_commit(
                lambda: send_staleness_report(report_id, now=timezone.now()), robust=False
            )
    return ReportRun(
        report_id=report.pk,
        as_of=today,
        open_flags=report.counts.get("open_flags", 0),
        entries=len(report.entries),
        is_new=is_new,
        is_sent=report.sent_at is not None,
    )


def build_staleness_report(*, today: date) -> StalenessReport:
    """Store and return a report of every open flag on `today`.

    `counts`: open flags by reason; flagged entries by level and by substance. `entries`: one
    item per flagged entry, oldest verification first (never verified first of all), then the
    oldest flag. One query for the flags with their entries, one insert.
    """
    rows = (
        ReviewFlag.objects.open()
        .order_by("created_at", "pk")
        .values_list(
            "reason",
            "created_at",
            "legal_status_id",
            "legal_status__jurisdiction__name",
            "legal_status__jurisdiction__ocd_id",
            "legal_status__jurisdiction__level",
            "legal_status__substance__slug",
            "legal_status__status",
            "legal_status__last_verified_at",
        )
    )
    entries: dict[int, dict] = {}
    by_reason: Counter[str] = Counter()
    for reason, created_at, entry_id, name, ocd_id, level, substance, status, verified in rows:
        by_reason[reason] += 1
        entry = entries.setdefault(
            entry_id,
            {
                "entry_id": entry_id,
                "jurisdiction": name,
                "ocd_id": ocd_id,
                "level": level,
                "substance": substance,
                "status": status,
                "last_verified_at": verified.isoformat() if verified else None,
                "reasons": [],
                "flagged_since": created_at.date().isoformat(),
                "admin_url": admin_url("admin:legality_legalstatus_change", entry_id),
            },
        )
        entry["reasons"].append(reason)
    ordered = sorted(
        entries.values(), key=lambda e: (e["last_verified_at"] or "", e["flagged_since"])
    )
    counts = {
        "open_flags": sum(by_reason.values()),
        "entries": len(ordered),
        "by_reason": dict(sorted(by_reason.items())),
        "by_level": dict(sorted(Counter(e["level"] for e in ordered).items())),
        "by_substance": dict(sorted(Counter(e["substance"] for e in ordered).items())),
    }
    return StalenessReport.objects.create(
        as_of=today, counts=counts, entries=ordered, csv=_csv(ordered)
    )


def send_staleness_report(report_id: int, *, now: datetime) -> list[str]:
    """Email report `report_id` to every active curator; return the addresses it went to.

    Sends nothing (and returns []) if the report was already sent or there is no curator with an
    email address. The sending run claims the report first (sent_at set only where it is still
    empty); if sending fails, the claim is undone and the error raised, so a retry sends it.
    """
    recipients = curator_emails()
    if not recipients:
        return []
    claimed = StalenessReport.objects.filter(pk=report_id, sent_at__isnull=True).update(
        sent_at=now, recipients=recipients
    )
    if not claimed:
        return []
    report = StalenessReport.objects.get(pk=report_id)
    subject, body = _email_text(report)
    messages = []
    for address in recipients:  # one message each: curators do not see each other's address
        message = EmailMessage(subject, body, to=[address])
        message.attach(f"staleness-{report.as_of.isoformat()}.csv", report.csv, "text/csv")
        messages.append(message)
    try:
        get_connection().send_messages(messages)
    except Exception:
        StalenessReport.objects.filter(pk=report_id, sent_at=now).update(
            sent_at=None, recipients=[]
        )
        raise
    return recipients


def curator_emails() -> list[str]:
    """Addresses of the active staff users in the Curators group, sorted, without duplicates."""
    users = get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name=CURATORS_GROUP
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def admin_url(view_name: str, *args: object) -> str:
    """An absolute link into the admin, on settings.SITE_URL."""
    return f"{settings.SITE_URL}{reverse(view_name, args=args)}"


def _email_text(report: StalenessReport) -> tuple[str, str]:
    counts = report.counts
    subject = (
        f"Staleness report {report.as_of.isoformat()}: {counts['entries']} entries need review"
    )
    body = render_to_string(
        "email/staleness_report.txt",
        {
            "report": report,
            "counts": counts,
            "oldest": report.entries[:LISTED_IN_EMAIL],
            "more": max(len(report.entries) - LISTED_IN_EMAIL, 0),
            "queue_url": admin_url("admin:legality_reviewflag_changelist"),
            "report_url": admin_url("admin:legality_stalenessreport_change", report.pk),
        },
    )
    return subject, body


def _csv(entries: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({**entry, "reasons": " ".join(entry["reasons"])})
    return out.getvalue()
