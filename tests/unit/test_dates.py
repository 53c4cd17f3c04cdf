"""Dates in words: as precise as the source, and the public end as the last day in force."""

from datetime import date

import pytest

from legality.dates import (
    describe_end,
    describe_known_by,
    describe_start,
    format_date,
    last_day_in_force,
    start_of_period,
)


@pytest.mark.parametrize(
    ("day", "precision", "words"),
    [
        (date(2021, 3, 3), "day", "3 March 2021"),
        (date(2026, 2, 1), "month", "February 2026"),
        (date(2014, 1, 1), "year", "2014"),
        (date(2021, 12, 25), "", "25 December 2021"),
    ],
)
def test_date_is_written_as_precisely_as_it_is_known(day, precision, words):
    assert format_date(day, precision) == words


@pytest.mark.parametrize(
    ("start", "precision", "words"),
    [
        (date(2021, 3, 3), "day", "since 3 March 2021"),
        (date(2026, 2, 1), "month", "since February 2026"),
        (date(2014, 1, 1), "year", "since 2014"),
        (None, "", "start date unknown"),
    ],
)
def test_start_reads_since(start, precision, words):
    assert describe_start(start, precision) == words


def test_start_still_to_come_reads_from():
    assert describe_start(date(2026, 7, 1), "day", on=date(2026, 6, 30)) == "from 1 July 2026"
    assert describe_start(date(2026, 7, 1), "day", on=date(2026, 7, 1)) == "since 1 July 2026"


def test_month_start_has_come_on_the_first_of_the_month():
    # Stored mid-month by hand: the month still starts on its first day.
    assert describe_start(date(2026, 2, 15), "month", on=date(2026, 2, 1)) == "since February 2026"


def test_known_by_reads_in_force_by():
    assert describe_known_by(date(2021, 3, 1), "month") == "in force by March 2021"
    assert describe_known_by(date(2021, 3, 3)) == "in force by 3 March 2021"


def test_start_of_period_is_the_first_day_of_the_month_or_year():
    assert start_of_period(date(2026, 2, 15), "month") == date(2026, 2, 1)
    assert start_of_period(date(2014, 6, 15), "year") == date(2014, 1, 1)
    assert start_of_period(date(2021, 3, 3), "day") == date(2021, 3, 3)


def test_public_end_is_the_last_day_in_force():
    # The model stores the first day no longer in force (half-open periods).
    assert last_day_in_force(date(2026, 7, 1)) == date(2026, 6, 30)
    assert last_day_in_force(date(2024, 3, 1)) == date(2024, 2, 29)
    assert last_day_in_force(None) is None
    assert describe_end(date(2026, 1, 1)) == "until 31 December 2025"
    assert describe_end(None) == ""
