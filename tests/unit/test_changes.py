"""legality.changes: when the law changed, read from the published periods."""

from datetime import date

import pytest

from legality.changes import status_changes
from tests.factories import LegalStatusFactory, StateFactory

pytestmark = pytest.mark.django_db


def said(changes) -> list[tuple]:
    return [(c.day, c.previous_status, c.status) for c in changes]


def test_a_change_is_a_period_that_differs_from_the_one_right_before_it(kratom):
    state = StateFactory()
    periods = [
        # (status, minimum age, from, until)
        ("legal", None, None, date(2019, 1, 1)),
        ("regulated", 21, date(2019, 1, 1), date(2021, 1, 1)),
        ("regulated", 21, date(2021, 1, 1), date(2022, 1, 1)),  # re-enacted, same rule
        ("regulated", 18, date(2022, 1, 1), date(2023, 1, 1)),  # only the age changed
        ("banned", None, date(2024, 1, 1), date(2025, 7, 1)),  # after a gap with no rule
    ]
    for status, age, start, until in periods:
        LegalStatusFactory(
            jurisdiction=state,
            substance=kratom,
            status=status,
            minimum_age=age,
            effective_from=start,
            effective_until=until,
        )

    changes = status_changes()

    assert said(changes) == [
        (date(2025, 7, 1), "banned", None),  # ended with nothing after it
        (date(2024, 1, 1), None, "banned"),
        (date(2023, 1, 1), "regulated", None),
        (date(2022, 1, 1), "regulated", "regulated"),
        (date(2019, 1, 1), "legal", "regulated"),
    ]
    assert (changes[3].previous_minimum_age, changes[3].minimum_age) == (21, 18)


def test_a_month_start_is_dated_by_its_first_day_and_keeps_its_precision(kratom):
    LegalStatusFactory(
        substance=kratom,
        status="banned",
        effective_from=date(2026, 2, 14),
        effective_from_precision="month",
    )

    (change,) = status_changes()

    assert (change.day, change.precision) == (date(2026, 2, 1), "month")


def test_unpublished_and_undated_periods_are_not_changes(kratom):
    LegalStatusFactory(substance=kratom, status="banned", effective_from=None)
    LegalStatusFactory(
        substance=kratom, status="banned", effective_from=date(2020, 1, 1), is_published=False
    )

    assert status_changes() == []


def test_filters_narrow_by_place_substance_status_and_dates(
    kratom, seven_oh, django_assert_num_queries
):
    ohio, texas = StateFactory(name="Ohio"), StateFactory(name="Texas")
    LegalStatusFactory(jurisdiction=ohio, substance=kratom, effective_from=date(2020, 1, 1))
    LegalStatusFactory(
        jurisdiction=texas, substance=seven_oh, status="banned", effective_from=date(2025, 1, 1)
    )

    # 1 the published periods with their jurisdiction and substance
    with django_assert_num_queries(1):
        assert said(status_changes(within=ohio.ocd_id)) == [(date(2020, 1, 1), None, "legal")]
    assert said(status_changes(substance="7-oh")) == [(date(2025, 1, 1), None, "banned")]
    assert said(status_changes(status="legal")) == [(date(2020, 1, 1), None, "legal")]
    assert said(status_changes(since=date(2021, 1, 1), until=date(2025, 1, 1))) == [
        (date(2025, 1, 1), None, "banned")
    ]
    assert status_changes(jurisdiction_ids=[ohio.pk])[0].jurisdiction == ohio
