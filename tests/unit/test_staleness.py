"""The staleness rules: overdue, effective date reached, and closing flags that no longer hold."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from legality.models import Jurisdiction, LegalStatus, ReviewFlag, ReviewPolicy
from legality.staleness import flag_stale_entries
from tests.factories import (
    CuratorFactory,
    LegalStatusFactory,
    ReviewFlagFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db

Reason = ReviewFlag.Reason
TODAY = date(2026, 6, 1)


def open_reasons(entry: LegalStatus) -> set[str]:
    return set(
        ReviewFlag.objects.open().filter(legal_status=entry).values_list("reason", flat=True)
    )


def banned(**fields) -> LegalStatus:
    return LegalStatusFactory(status=LegalStatus.Status.BANNED, **fields)


# --- overdue -------------------------------------------------------------------------------


def test_banned_entry_is_overdue_the_day_after_its_90_days_run_out():
    entry = banned(last_verified_at=TODAY - timedelta(days=90))

    flag_stale_entries(today=TODAY)
    assert open_reasons(entry) == set()

    flag_stale_entries(today=TODAY + timedelta(days=1))
    assert open_reasons(entry) == {Reason.OVERDUE}


@pytest.mark.parametrize(
    ("status", "days"),
    [("banned", 90), ("restricted", 90), ("regulated", 90), ("legal", 180)],
)
def test_default_interval_depends_on_the_status(status, days):
    within = LegalStatusFactory(status=status, last_verified_at=TODAY - timedelta(days=days))
    past = LegalStatusFactory(status=status, last_verified_at=TODAY - timedelta(days=days + 1))

    flag_stale_entries(today=TODAY)

    assert open_reasons(within) == set()
    assert open_reasons(past) == {Reason.OVERDUE}


def test_never_verified_entry_is_overdue():
    entry = banned(last_verified_at=None)

    flag_stale_entries(today=TODAY)

    assert open_reasons(entry) == {Reason.OVERDUE}


def test_intervals_come_from_the_review_policy_curators_edit():
    ReviewPolicy.objects.filter(pk=1).update(legal_days=10)
    entry = LegalStatusFactory(status="legal", last_verified_at=TODAY - timedelta(days=11))

    flag_stale_entries(today=TODAY)

    assert open_reasons(entry) == {Reason.OVERDUE}


def test_entry_override_beats_the_policy():
    longer = banned(last_verified_at=TODAY - timedelta(days=200), review_interval_days=365)
    shorter = LegalStatusFactory(
        status="legal", last_verified_at=TODAY - timedelta(days=8), review_interval_days=7
    )

    flag_stale_entries(today=TODAY)

    assert open_reasons(longer) == set()
    assert open_reasons(shorter) == {Reason.OVERDUE}


def test_a_dated_change_within_90_days_shortens_the_interval_to_30_days(seven_oh):
    state = StateFactory()
    current = LegalStatusFactory(
        jurisdiction=state, status="legal", last_verified_at=TODAY - timedelta(days=31)
    )
    # A ban of the other substance in the same state, starting in 90 days: the state is changing.
    LegalStatusFactory(
        jurisdiction=state,
        substance=seven_oh,
        status="banned",
        effective_from=TODAY + timedelta(days=90),
        last_verified_at=TODAY,
    )
    elsewhere = LegalStatusFactory(status="legal", last_verified_at=TODAY - timedelta(days=31))

    flag_stale_entries(today=TODAY)

    assert open_reasons(current) == {Reason.OVERDUE}
    assert open_reasons(elsewhere) == set()


def test_a_change_91_days_away_or_already_past_does_not_shorten_the_interval(kratom):
    state = StateFactory()
    current = LegalStatusFactory(
        jurisdiction=state,
        substance=kratom,
        status="legal",
        effective_from=TODAY - timedelta(days=10),  # a change that already happened
        effective_until=TODAY + timedelta(days=91),  # and one too far away
        last_verified_at=TODAY - timedelta(days=31),
    )

    flag_stale_entries(today=TODAY)

    assert Reason.OVERDUE not in open_reasons(current)


def test_an_ending_period_counts_as_a_dated_change(kratom):
    entry = LegalStatusFactory(
        substance=kratom,
        status="legal",
        effective_until=TODAY + timedelta(days=5),
        last_verified_at=TODAY - timedelta(days=31),
    )

    flag_stale_entries(today=TODAY)

    assert open_reasons(entry) == {Reason.OVERDUE}


def test_entries_not_in_force_or_unpublished_are_never_overdue(kratom):
    old = date(2000, 1, 1)
    ended = LegalStatusFactory(
        substance=kratom,
        effective_from=date(2010, 1, 1),
        effective_until=date(2020, 1, 1),
        last_verified_at=old,
    )
    future = LegalStatusFactory(
        substance=kratom, effective_from=date(2030, 1, 1), last_verified_at=TODAY
    )
    draft = LegalStatusFactory(substance=kratom, is_published=False, last_verified_at=old)

    flag_stale_entries(today=TODAY)

    assert Reason.OVERDUE not in open_reasons(ended) | open_reasons(future) | open_reasons(draft)


def test_time_travel_a_verified_entry_becomes_overdue_on_its_own():
    with time_machine.travel(date(2026, 1, 1), tick=False):
        entry = banned(last_verified_at=timezone.localdate())
        flag_stale_entries(today=timezone.localdate())
    with time_machine.travel(date(2026, 3, 31), tick=False):  # day 89
        flag_stale_entries(today=timezone.localdate())
        assert open_reasons(entry) == set()
    with time_machine.travel(date(2026, 4, 2), tick=False):  # day 91
        flag_stale_entries(today=timezone.localdate())
        assert open_reasons(entry) == {Reason.OVERDUE}


# --- effective date reached --------------------------------------------------------------------


def test_a_start_date_passed_since_verification_is_flagged(kratom):
    entry = LegalStatusFactory(
        substance=kratom,
        effective_from=date(2026, 5, 1),
        last_verified_at=date(2026, 4, 20),
    )

    flag_stale_entries(today=date(2026, 4, 30))
    assert Reason.EFFECTIVE_DATE_REACHED not in open_reasons(entry)

    flag_stale_entries(today=date(2026, 5, 1))
    assert Reason.EFFECTIVE_DATE_REACHED in open_reasons(entry)


def test_an_end_date_passed_since_verification_is_flagged_although_no_longer_in_force(kratom):
    entry = LegalStatusFactory(
        substance=kratom,
        effective_from=date(2025, 1, 1),
        effective_until=date(2026, 5, 1),
        last_verified_at=date(2026, 4, 1),
    )

    flag_stale_entries(today=date(2026, 5, 2))

    assert open_reasons(entry) == {Reason.EFFECTIVE_DATE_REACHED}


def test_a_change_verified_on_or_after_its_date_is_not_flagged(kratom):
    entry = LegalStatusFactory(
        substance=kratom, effective_from=date(2026, 5, 1), last_verified_at=date(2026, 5, 1)
    )

    flag_stale_entries(today=date(2026, 5, 10))

    assert open_reasons(entry) == set()


# --- closing flags whose reason no longer holds -------------------------------------------------


def test_verified_again_closes_the_overdue_flag_with_a_resolution():
    entry = banned(last_verified_at=TODAY - timedelta(days=120))
    flag_stale_entries(today=TODAY)
    LegalStatus.objects.filter(pk=entry.pk).update(last_verified_at=TODAY)

    run = flag_stale_entries(today=TODAY)

    assert run.closed[Reason.OVERDUE] == 1
    flag = ReviewFlag.objects.get(legal_status=entry, reason=Reason.OVERDUE)
    assert flag.resolved_at is not None
    assert flag.resolved_by is None
    assert "no longer overdue" in flag.resolution
    assert [record.history_type for record in flag.history.order_by("history_date")] == ["+", "~"]


def test_verified_after_the_change_closes_the_effective_date_flag(kratom):
    entry = LegalStatusFactory(
        substance=kratom, effective_from=date(2026, 5, 1), last_verified_at=date(2026, 4, 1)
    )
    flag_stale_entries(today=TODAY)
    LegalStatus.objects.filter(pk=entry.pk).update(last_verified_at=TODAY)

    run = flag_stale_entries(today=TODAY)

    assert run.closed[Reason.EFFECTIVE_DATE_REACHED] == 1
    assert open_reasons(entry) == set()


def test_curator_and_link_checker_flags_are_left_alone():
    entry = banned(last_verified_at=TODAY)
    manual = ReviewFlagFactory(legal_status=entry, reason=Reason.MANUAL)
    changed = ReviewFlagFactory(legal_status=entry, reason=Reason.SOURCE_CHANGED)

    flag_stale_entries(today=TODAY)

    assert ReviewFlag.objects.open().filter(pk__in=[manual.pk, changed.pk]).count() == 2


def test_a_flag_a_curator_closed_keeps_the_curators_resolution():
    entry = banned(last_verified_at=TODAY - timedelta(days=120))
    flag_stale_entries(today=TODAY)
    curator = CuratorFactory()
    ReviewFlag.objects.filter(legal_status=entry).update(
        resolved_at=timezone.now(), resolved_by=curator, resolution="dismissed: still banned"
    )
    LegalStatus.objects.filter(pk=entry.pk).update(last_verified_at=TODAY)

    flag_stale_entries(today=TODAY)

    flag = ReviewFlag.objects.get(legal_status=entry)
    assert (flag.resolved_by, flag.resolution) == (curator, "dismissed: still banned")


def test_an_entry_overdue_again_after_a_closed_flag_gets_a_new_flag():
    entry = banned(last_verified_at=TODAY - timedelta(days=120))
    flag_stale_entries(today=TODAY)
    LegalStatus.objects.filter(pk=entry.pk).update(last_verified_at=TODAY)
    flag_stale_entries(today=TODAY)

    flag_stale_entries(today=TODAY + timedelta(days=91))

    assert ReviewFlag.objects.filter(legal_status=entry, reason=Reason.OVERDUE).count() == 2
    assert open_reasons(entry) == {Reason.OVERDUE}


# --- idempotency and shape ------------------------------------------------------------------------


def test_running_twice_opens_and_closes_nothing_the_second_time(kratom):
    banned(last_verified_at=None)
    LegalStatusFactory(
        substance=kratom, effective_from=date(2026, 5, 1), last_verified_at=date(2026, 1, 1)
    )

    first = flag_stale_entries(today=TODAY)
    second = flag_stale_entries(today=TODAY)

    assert first.counts == {
        "opened_overdue": 1,
        "opened_effective_date_reached": 1,
        "closed_overdue": 0,
        "closed_effective_date_reached": 0,
    }
    assert set(second.counts.values()) == {0}
    assert ReviewFlag.objects.count() == 2
    assert ReviewFlag.history.count() == 2


def test_a_flag_already_open_is_not_duplicated_by_a_run_that_starts_later():
    # What an overlapping run sees: another run opened the flag after this one chose its rows.
    entry = banned(last_verified_at=None)
    ReviewFlagFactory(legal_status=entry, reason=Reason.OVERDUE)

    run = flag_stale_entries(today=TODAY)

    assert run.opened[Reason.OVERDUE] == 0
    assert ReviewFlag.objects.filter(legal_status=entry).count() == 1


@pytest.mark.parametrize("entries", [10, 1000])
def test_a_flagging_run_takes_the_same_queries_for_10_and_1000_entries(
    entries, kratom, django_assert_num_queries
):
    country = StateFactory().parent
    states = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            ocd_id=f"{country.ocd_id}/state:n{n}",
            name=f"N{n}",
            search_name=f"n{n}",
            level="state",
            division_type="state",
            parent=country,
            country_code="US",
        )
        for n in range(entries)
    )
    # Banned since 2021, last verified in 2020: each entry is overdue and its start was reached.
    LegalStatus.objects.bulk_create(
        LegalStatus(
            jurisdiction=state,
            substance=kratom,
            status="banned",
            summary="Banned.",
            effective_from=date(2021, 1, 1),
            effective_from_precision="day",
            is_published=True,
            last_verified_at=date(2020, 1, 1),
        )
        for state in states
    )

    # 1 SELECT the review policy
    # 2 SAVEPOINT (the run is atomic)
    # 3 INSERT ... SELECT the overdue flags
    # 4 INSERT ... SELECT their history records
    # 5 INSERT ... SELECT the effective-date flags
    # 6 INSERT ... SELECT their history records
    # 7 UPDATE closing the overdue flags that no longer hold (none here: no history to write)
    # 8 UPDATE closing the effective-date flags that no longer hold (none here)
    # 9 RELEASE SAVEPOINT
    with django_assert_num_queries(9):
        run = flag_stale_entries(today=TODAY)

    assert run.opened == {"overdue": entries, "effective_date_reached": entries}
    assert ReviewFlag.history.count() == 2 * entries


class OverdueProperty(HypothesisTestCase):
    """Whatever the status, the override and the day of the last verification, an entry is
    overdue exactly when more days than its interval have passed."""

    @settings(max_examples=40, deadline=None)
    @given(
        status=st.sampled_from(["banned", "restricted", "regulated", "legal"]),
        override=st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
        days_since=st.integers(min_value=0, max_value=400),
    )
    def test_overdue_exactly_when_the_interval_has_run_out(self, status, override, days_since):
        entry = LegalStatusFactory(
            status=status,
            review_interval_days=override,
            last_verified_at=TODAY - timedelta(days=days_since),
        )
        interval = override or (180 if status == "legal" else 90)

        flag_stale_entries(today=TODAY)

        assert (Reason.OVERDUE in open_reasons(entry)) == (days_since > interval)
