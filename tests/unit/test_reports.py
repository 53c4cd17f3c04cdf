"""The staleness report: what it stores, whom it emails, and that it is sent once."""

import csv
import io
import smtplib
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from legality.models import Jurisdiction, LegalStatus, ReviewFlag, StalenessReport
from legality.reports import build_staleness_report, curator_emails, run_staleness_report
from tests.factories import (
    CountyFactory,
    CuratorFactory,
    LegalStatusFactory,
    ReviewFlagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Reason = ReviewFlag.Reason
TODAY = date(2026, 6, 1)


@pytest.fixture
def flagged(kratom, seven_oh):
    """Three flagged entries: a never-verified state ban, an old county entry, a recent one."""
    never = LegalStatusFactory(substance=kratom, status="banned", last_verified_at=None)
    old = LegalStatusFactory(
        jurisdiction=CountyFactory(), substance=seven_oh, last_verified_at=date(2025, 1, 1)
    )
    recent = LegalStatusFactory(substance=seven_oh, last_verified_at=date(2026, 5, 1))
    ReviewFlagFactory(legal_status=never, reason=Reason.OVERDUE)
    ReviewFlagFactory(legal_status=old, reason=Reason.OVERDUE)
    ReviewFlagFactory(legal_status=old, reason=Reason.SOURCE_CHANGED)
    ReviewFlagFactory(legal_status=recent, reason=Reason.MANUAL)
    closed = ReviewFlagFactory(legal_status=recent, reason=Reason.OVERDUE)
    ReviewFlag.objects.filter(pk=closed.pk).update(resolved_at="2026-05-02T00:00Z")
    return {"never": never, "old": old, "recent": recent}


def test_the_report_counts_open_flags_by_reason_and_entries_by_level_and_substance(flagged):
    report = build_staleness_report(today=TODAY)

    assert report.as_of == TODAY
    assert report.counts == {
        "open_flags": 4,
        "entries": 3,
        "by_reason": {"manual": 1, "overdue": 2, "source_changed": 1},
        "by_level": {"county": 1, "state": 2},
        "by_substance": {"7-oh": 2, "kratom": 1},
    }


def test_the_report_lists_entries_oldest_verification_first_with_admin_links(flagged, settings):
    settings.SITE_URL = "https://tracker.example.org"

    report = build_staleness_report(today=TODAY)

    ids = [entry["entry_id"] for entry in report.entries]
    assert ids == [flagged["never"].pk, flagged["old"].pk, flagged["recent"].pk]
    assert report.entries[1]["reasons"] == ["overdue", "source_changed"]
    assert report.entries[1]["admin_url"] == (
        f"https://tracker.example.org/admin/legality/legalstatus/{flagged['old'].pk}/change/"
    )
    rows = list(csv.DictReader(io.StringIO(report.csv)))
    assert [int(row["entry_id"]) for row in rows] == ids
    assert rows[1]["reasons"] == "overdue source_changed"


def test_building_a_report_takes_a_fixed_number_of_queries(kratom, django_assert_num_queries):
    for _ in range(5):
        ReviewFlagFactory(reason=Reason.OVERDUE)

    # 1 the open flags with their entries, jurisdictions and substances; 2 INSERT the report
    with django_assert_num_queries(2):
        build_staleness_report(today=TODAY)


def test_curators_are_the_active_staff_in_the_group_with_an_email():
    CuratorFactory(username="ana")
    CuratorFactory(username="bo", email="")
    CuratorFactory(username="cy", is_active=False)
    CuratorFactory(username="di", is_staff=False)
    UserFactory(username="ed", is_staff=True)  # staff, but not a curator

    assert curator_emails() == ["ana@example.org"]


def test_the_report_is_emailed_on_commit_to_each_curator_with_the_csv_and_links(
    flagged, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tracker.example.org"
    CuratorFactory(username="ana")
    CuratorFactory(username="bo")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = run_staleness_report(today=TODAY)
    assert len(mail.outbox) == 0  # nothing before the commit
    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [["ana@example.org"], ["bo@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Staleness report 2026-06-01: 3 entries need review"
    assert "overdue: 2" in message.body
    assert "https://tracker.example.org/admin/legality/reviewflag/" in message.body
    assert (
        f"https://tracker.example.org/admin/legality/stalenessreport/{run.report_id}/change/"
        in message.body
    )
    assert f"/admin/legality/legalstatus/{flagged['never'].pk}/change/" in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("staleness-2026-06-01.csv", "text/csv")
    assert content.splitlines()[0].startswith("entry_id,jurisdiction,ocd_id")
    report = StalenessReport.objects.get()
    assert report.recipients == ["ana@example.org", "bo@example.org"]
    assert report.sent_at is not None


def test_running_the_report_twice_a_day_stores_and_sends_it_once(
    flagged, django_capture_on_commit_callbacks
):
    CuratorFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = run_staleness_report(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = run_staleness_report(today=TODAY)

    assert (first.is_new, second.is_new, second.is_sent) == (True, False, True)
    assert StalenessReport.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_failed_send_is_undone_so_that_the_next_run_sends_it(
    flagged, settings, django_capture_on_commit_callbacks
):
    CuratorFactory()
    settings.EMAIL_BACKEND = "tests.unit.test_reports.FailingBackend"

    with pytest.raises(smtplib.SMTPServerDisconnected):
        with django_capture_on_commit_callbacks(execute=True):
            run_staleness_report(today=TODAY)
    assert StalenessReport.objects.get().sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        run_staleness_report(today=TODAY)

    assert len(mail.outbox) == 1
    assert StalenessReport.objects.get().sent_at is not None


def test_without_curators_the_report_is_stored_but_not_sent(
    flagged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_staleness_report(today=TODAY)

    assert StalenessReport.objects.get().sent_at is None
    assert mail.outbox == []


def test_an_empty_report_says_nothing_is_waiting(django_capture_on_commit_callbacks):
    CuratorFactory()

    with django_capture_on_commit_callbacks(execute=True):
        run_staleness_report(today=TODAY)

    assert "Nothing is waiting for review." in mail.outbox[0].body


# Committed for real, as in production, so the email goes out before the command reports;
# serialized_rollback puts the migrations' rows (the Curators group) back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_run_twice_sends_one_email_and_says_so(flagged, capsys):
    CuratorFactory()

    call_command("staleness_report", "--as-of", "2026-06-01")
    call_command("staleness_report", "--as-of", "2026-06-01")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Stored the staleness report of 2026-06-01: 3 entries, 4 open flags."
    assert out[1] == "Sent to 1 curators."
    assert out[2] == "Found the staleness report of 2026-06-01: 3 entries, 4 open flags."
    assert out[3].startswith("It was already sent to 1 curators at ")
    assert len(mail.outbox) == 1
    assert Jurisdiction.objects.exists() and LegalStatus.objects.count() == 3


class FailingBackend:
    """An email backend whose server hangs up: a transient failure."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
