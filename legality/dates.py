"""Dates as the law gives them: a start known to the day, the month or the year, said in words.

A month or year start is stored as the first day of that month or year (the model's precision
field says how much is known); these functions turn it back into what the source said, so a page
reads "since February 2026", never "since 2026-02-01". Periods are half-open in the database: the
public end date is the last day in force, one day before `effective_until`.
"""

from datetime import date, timedelta

from legality.models import DatePrecision

# Month names are spelled out here, not taken from strftime("%B"), which follows the C locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def start_of_period(day: date, precision: str) -> date:
    """The first day of the month or year that `day` stands for; `day` itself at day precision.

    The model already stores a month or year start as its first day; normalising again keeps
    resolution right for a row written by hand with another day of that month.
    """
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    return day


def format_date(day: date, precision: str = DatePrecision.DAY) -> str:
    """'3 March 2021', 'February 2026' or '2014', as much as `precision` says is known.

    An empty precision (a date with no precision recorded) reads as a full date.
    """
    if precision == DatePrecision.YEAR:
        return str(day.year)
    if precision == DatePrecision.MONTH:
        return f"{_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def describe_start(start: date | None, precision: str, *, on: date | None = None) -> str:
    """A period's start in words: 'since 3 March 2021', 'since February 2026', 'since 2014'.

    With `on`, a start still to come reads 'from 1 July 2026' (a month or year start counts as
    come once its first day is reached). No start reads 'start date unknown'.
    """
    if start is None:
        return "start date unknown"
    if on is not None and start_of_period(start, precision) > on:
        return f"from {format_date(start, precision)}"
    return f"since {format_date(start, precision)}"


def describe_known_by(day: date, precision: str = DatePrecision.DAY) -> str:
    """When an entry with no known start is first attested: 'in force by March 2021'."""
    return f"in force by {format_date(day, precision)}"


def last_day_in_force(effective_until: date | None) -> date | None:
    """The public, inclusive end of a period; the model stores the first day no longer in force.

    None (open-ended, "until further notice") stays None.
    """
    return effective_until - timedelta(days=1) if effective_until is not None else None


def describe_end(effective_until: date | None) -> str:
    """A period's end in words, as its last day in force: 'until 30 June 2026' ('' when open)."""
    last_day = last_day_in_force(effective_until)
    return f"until {format_date(last_day)}" if last_day is not None else ""
