"""The curators' dashboard: flags by reason over the weeks, entries by verification age, the most
overdue entries first, links into the review queue, and a constant number of queries."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from legality.dashboard import curators_dashboard
from legality.models import JobRun, LegalStatus, PlaceKind, ReviewFlag
from tests.factories import LegalStatusFactory, ReviewFlagFactory, StateFactory
from tests.geo_factories import (
    NamedCountryFactory,
    NamedCountyFactory,
    NamedPlaceFactory,
    UsStateFactory,
)

URL = "/admin/dashboard/"
TODAY = date(2026, 12, 6)
Reason = ReviewFlag.Reason


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def backlog(kratom):
    """Three entries verified long ago, recently and never; flags raised over the weeks."""
    old = LegalStatusFactory(
        substance=kratom, status=LegalStatus.Status.BANNED, last_verified_at=date(2025, 1, 1)
    )
    recent = LegalStatusFactory(substance=kratom, last_verified_at=TODAY - timedelta(days=10))
    never = LegalStatusFactory(
        substance=kratom, status=LegalStatus.Status.RESTRICTED, last_verified_at=None
    )
    LegalStatus.objects.filter(pk=never.pk).update(created_at=at(date(2026, 10, 1)))
    # Overdue flag raised 3 weeks ago, still open; a source flag raised 6 weeks ago and resolved
    # 2 weeks ago.
    ReviewFlagFactory(legal_status=old, reason=Reason.OVERDUE)
    ReviewFlag.objects.filter(reason=Reason.OVERDUE).update(created_at=at(TODAY - timedelta(21)))
    ReviewFlagFactory(legal_status=recent, reason=Reason.SOURCE_CHANGED)
    ReviewFlag.objects.filter(reason=Reason.SOURCE_CHANGED).update(
        created_at=at(TODAY - timedelta(42)), resolved_at=at(TODAY - timedelta(14))
    )
    return {"old": old, "recent": recent, "never": never}


def test_flags_by_reason_at_the_end_of_each_week(backlog):
    dashboard = curators_dashboard(today=TODAY, weeks=8)
    assert dashboard.week_ends[-1] == TODAY and dashboard.week_ends[0] == TODAY - timedelta(49)
    flags = {row.reason: row for row in dashboard.flags}
    assert flags["overdue"].counts == (0, 0, 0, 0, 1, 1, 1, 1)  # raised on the 5th week's last day
    assert flags["overdue"].open_now == 1
    assert flags["source_changed"].counts == (0, 1, 1, 1, 1, 0, 0, 0)
    assert flags["source_changed"].open_now == 0
    assert flags["manual"].counts == (0,) * 8  # every reason has a row


def test_entries_by_status_and_age_of_last_verification(backlog):
    ages = {row.status: row for row in curators_dashboard(today=TODAY).ages}
    # within 30 days, 31-90, 91-180, 181-365, over a year, never
    assert ages["banned"].counts == (0, 0, 0, 0, 1, 0)
    assert ages["legal"].counts == (1, 0, 0, 0, 0, 0)
    assert ages["restricted"].counts == (0, 0, 0, 0, 0, 1)
    assert ages["regulated"].total == 0


def test_most_overdue_first_a_never_verified_entry_from_the_day_it_was_recorded(backlog):
    dashboard = curators_dashboard(today=TODAY)
    # Banned, verified 2025-01-01, 90-day interval: overdue since 2025-04-01 (611 days);
    # never verified, recorded 2026-10-01: 66 days. The recent entry is not overdue.
    assert [(e.pk, e.days_overdue) for e in dashboard.most_overdue] == [
        (backlog["old"].pk, (TODAY - date(2025, 4, 1)).days),
        (backlog["never"].pk, (TODAY - date(2026, 10, 1)).days),
    ]
    assert dashboard.overdue_total == 2


def test_people_affected_weigh_with_days_overdue(kratom):
    mississippi = UsStateFactory(name="Mississippi", postal_code="MS")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County")
    tupelo = NamedPlaceFactory(
        parent=mississippi,
        name="Tupelo",
        counties=[lee],
        place_kind=PlaceKind.INCORPORATED,
        population=37_923,
    )
    NamedPlaceFactory(
        parent=mississippi,
        name="Saltillo",
        counties=[lee],
        place_kind=PlaceKind.INCORPORATED,
        population=5_000,
    )
    NamedPlaceFactory(  # a township overlaps the municipalities: not counted
        parent=mississippi,
        name="Beat One",
        place_kind=PlaceKind.COUNTY_SUBDIVISION,
        population=99_999,
    )
    thailand = NamedCountryFactory(name="Thailand", iso_code="TH")
    verified = {  # all banned, 90-day interval: overdue from the 91st day
        tupelo: TODAY - timedelta(days=190),  # 100 days overdue
        lee: TODAY - timedelta(days=100),  # 10 days overdue
        mississippi: TODAY - timedelta(days=95),  # 5 days overdue
        thailand: TODAY - timedelta(days=1090),  # 1,000 days overdue, no population known
    }
    for where, day in verified.items():
        LegalStatusFactory(
            jurisdiction=where,
            substance=kratom,
            status=LegalStatus.Status.BANNED,
            last_verified_at=day,
        )
    rows = [
        (e.jurisdiction.name, e.days_overdue, e.known_population)
        for e in curators_dashboard(today=TODAY).most_overdue
    ]
    assert rows == [
        ("Tupelo", 100, 37_923),  # 3.8 million
        ("Lee County", 10, 42_923),  # Tupelo and Saltillo: 429,230
        ("Mississippi", 5, 42_923),  # 214,615
        ("Thailand", 1000, None),  # unknown population: last
    ]


def test_the_page_links_into_the_review_queue_filtered(curator_client, backlog):
    with time_machine.travel(at(TODAY), tick=False):
        page = curator_client.get(URL).content.decode()
    assert 'href="/admin/legality/reviewflag/?state=open&amp;reason=overdue"' in page
    assert 'href="/admin/legality/reviewflag/?state=open"' in page
    change = f"/admin/legality/legalstatus/{backlog['old'].pk}/change/"
    assert f'<a href="{change}">Kratom in {backlog["old"].jurisdiction.name}</a>' in page
    never = re.search(r'href="([^"]*last_verified_at__isnull=True[^"]*)"', page)
    assert never and "status__exact=restricted" in never.group(1)
    # The filtered lists the links lead to exist and show what was counted.
    listed = curator_client.get(never.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    assert backlog["never"].jurisdiction.name in listed.content.decode()
    assert curator_client.get("/admin/").content.decode().count('href="/admin/dashboard/"') == 1


def test_only_curators_see_it(client, db):
    assert client.get(URL).status_code == 302  # to the admin login


@pytest.mark.parametrize("entries", [1, 40])
def test_the_dashboard_takes_the_same_queries_for_any_backlog(
    curator_client, kratom, django_assert_num_queries, entries
):
    for n in range(entries):
        entry = LegalStatusFactory(
            jurisdiction=StateFactory(),
            substance=kratom,
            status=LegalStatus.Status.BANNED,
            last_verified_at=date(2024, 1, 1) + timedelta(days=n),
        )
        ReviewFlagFactory(legal_status=entry, reason=Reason.OVERDUE)
    # 1 the session, 2 the user, 3 the user's own permissions, 4 their groups' permissions,
    # 5 flags by reason and week, 6 entries by status and verification age, 7 the review
    # policy, 8 the most overdue entries with jurisdiction and substance, 9 how many are overdue,
    # 10 the newest run of each job
    with django_assert_num_queries(10):
        response = curator_client.get(URL)
    assert response.status_code == 200
    assert f"of {entries} overdue" in response.content.decode()


def test_the_dashboard_shows_the_newest_run_of_each_job(curator_client):
    now = timezone.now()
    for job, outcome, minutes_ago in [
        ("flag_stale_entries", "failed", 90),
        ("flag_stale_entries", "success", 30),
        ("staleness_report", "skipped", 10),
    ]:
        JobRun.objects.create(
            job=job,
            trigger="task",
            started_at=now - timedelta(minutes=minutes_ago),
            finished_at=now - timedelta(minutes=minutes_ago - 1),
            duration=timedelta(minutes=1),
            outcome=outcome,
        )

    response = curator_client.get(URL)

    runs = [(run.job, run.outcome) for run in response.context["dashboard"].last_runs]
    assert runs == [("flag_stale_entries", "success"), ("staleness_report", "skipped")]
    assert "Skipped: another run held the lock" in response.content.decode()
