"""Rules shared with the curators' CSV import: the seed files and the CSV write an entry alike.

An entry's own fields (check_entry_fields), the lookup of jurisdictions by OCD id or alias
(find_jurisdictions), the message for an unknown substance, and the dates: a day, a source's
publication date, and the one conversion of an inclusive end to the model's half-open one.
legality.admin.resources checks its rows with these; the seed loader checks its records.
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from legality.models import DatePrecision, Jurisdiction, LegalStatus, OcdAlias

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def first_day_no_longer_in_force(last_day: date | None) -> date | None:
    """The model's half-open end for the seed data's inclusive one (None: still in force).

    The seed files write `effective_until` as the last day in force, as the reference does; the
    database stores the first day the entry no longer applies. This is the one place that
    converts; `legality.dates.last_day_in_force` converts back.
    """
    return last_day + timedelta(days=1) if last_day is not None else None


# The fields of an entry that check_entry_fields() reads, by the name the files give them.
ENTRY_FIELDS = (
    "status",
    "minimum_age",
    "applies_to",
    "summary",
    "effective_from",
    "effective_from_precision",
    "effective_until",
)


@dataclass(frozen=True)
class CheckedFields:
    """An entry's own fields as the model stores them, and what is wrong with them.

    Each problem pairs the key it is in (a seed file's key, a CSV column) with its message.
    """

    values: dict[str, Any]
    problems: tuple[tuple[str, str], ...]


def check_entry_fields(written: Mapping[str, Any], *, level: str | None) -> CheckedFields:
    """Check an entry's own fields as a seed file or a curator's CSV writes them; convert them.

    `written` holds ENTRY_FIELDS as written: dates as YYYY-MM-DD strings, `effective_until` as
    the last day in force, `minimum_age` as an int; None (or a missing key) is empty. `status`
    and `summary` are checked only when present: a missing key is the caller's to report.
    `level` is the jurisdiction's level; None (not known) skips the county-only scope rule.
    In the values, `effective_until` is the model's first day no longer in force, and a start
    written without its precision is known to the day.
    """
    problems: list[tuple[str, str]] = []
    status = written.get("status")
    if "status" in written and status not in LegalStatus.Status.values:
        allowed = ", ".join(LegalStatus.Status.values)
        problems.append(("status", f"bad status {status!r} ({allowed})"))
    age = written.get("minimum_age")
    if age is not None and (type(age) is not int or not 0 < age < 100):
        problems.append(("minimum_age", f"bad minimum_age {age!r}"))
    applies_to = written.get("applies_to") or ""
    if applies_to not in ["", *LegalStatus.AppliesTo.values]:
        problems.append(("applies_to", f"bad applies_to {applies_to!r}"))
    elif applies_to and level is not None and level != Jurisdiction.Level.COUNTY:
        problems.append(("applies_to", "applies_to is only for county entries"))
    summary = written.get("summary")
    if "summary" in written and not (isinstance(summary, str) and summary.strip()):
        problems.append(("summary", "summary must be some text"))
    start, precision, last_day = _check_period(written, problems)
    values = {
        "status": status,
        "minimum_age": age,
        "applies_to": applies_to,
        "summary": summary or "",
        "effective_from": start,
        "effective_from_precision": precision,
        "effective_until": first_day_no_longer_in_force(last_day),
    }
    return CheckedFields(values=values, problems=tuple(problems))


def _check_period(
    written: Mapping[str, Any], problems: list[tuple[str, str]]
) -> tuple[date | None, str, date | None]:
    """(start, its precision, last day in force), once the three agree with each other."""
    start = _written_day(written, "effective_from", problems)
    last_day = _written_day(written, "effective_until", problems)
    precision = written.get("effective_from_precision")
    if start is None:
        if precision and written.get("effective_from") is None:  # not a bad date
            problems.append(("effective_from_precision", "a precision without an effective_from"))
        return None, "", last_day
    precision = precision or "day"
    if precision not in DatePrecision.values:
        problems.append(("effective_from_precision", f"bad precision {precision!r}"))
    elif (precision == "month" and start.day != 1) or (
        precision == "year" and (start.month, start.day) != (1, 1)
    ):
        message = f"a {precision} start is written as the first day of its {precision}"
        problems.append(("effective_from", message))
    if last_day is not None and last_day < start:
        problems.append(("effective_until", "effective_until is before the start"))
    return start, precision, last_day


def _written_day(
    written: Mapping[str, Any], key: str, problems: list[tuple[str, str]]
) -> date | None:
    if (value := written.get(key)) is None:
        return None
    day = parse_day(value)
    if day is None:
        problems.append((key, f"bad date in {key}: {value!r} (expected YYYY-MM-DD)"))
    return day


def find_jurisdictions(ocd_ids: Collection[str]) -> dict[str, Jurisdiction]:
    """The jurisdictions these OCD ids name: by their own OCD id, or else by an OCD alias.

    Two queries. A jurisdiction found by an alias is keyed by the alias (its own `ocd_id` is
    the official one); an OCD id that names nothing is left out.
    """
    found = {j.ocd_id: j for j in Jurisdiction.objects.filter(ocd_id__in=ocd_ids)}
    aliases = OcdAlias.objects.filter(ocd_id__in=set(ocd_ids) - found.keys())
    return found | {
        alias.ocd_id: alias.jurisdiction for alias in aliases.select_related("jurisdiction")
    }


def describe_unknown_substance(slug: Any, known: Iterable[str]) -> str:
    """The message for a substance slug that names none of the `known` ones."""
    return f"unknown substance {slug!r} (known: {', '.join(sorted(known))})"


def parse_day(value: Any) -> date | None:
    """A YYYY-MM-DD string as a date; None for anything else, or a day the calendar lacks."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and _DAY.match(value) else None
    except ValueError:
        return None


def parse_published(value: Any) -> tuple[date | None, str] | None:
    """(date, precision) of a source's `published`: YYYY, YYYY-MM or YYYY-MM-DD; None if bad.

    A month or year is stored as its first day. Empty (None) is an undated source: (None, "").
    """
    if value is None:
        return None, ""
    if not (match := _PUBLISHED.match(str(value))):
        return None
    year, month, day = match.groups()
    try:
        published = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return published, "day" if day else "month" if month else "year"


def format_published(published_on: date | None, precision: str) -> str:
    """A source's publication date as `published` writes it (parse_published() reads it back)."""
    if published_on is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{published_on:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{published_on:%Y-%m}"
    return published_on.isoformat()
