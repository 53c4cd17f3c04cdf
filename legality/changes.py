"""When the law changed: status changes taken from the published periods themselves.

A change is the day a jurisdiction's rule for a substance became different: the start of a
period whose status or minimum age differs from the period before it, or the day after a
period ended with none after it. It is read from the periods, not from when they were typed in,
so a fresh install already has its history, and an entry imported today for a 2016 ban is a
2016 change. The day it was recorded (the entry's creation) comes second.

`status_changes(...)` is what the changes page, the API, the feeds and a place's history read.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from django.db.models import F, Q

from legality.compiled_queries import compiled
from legality.dates import start_of_period
from legality.models import DatePrecision, Jurisdiction, LegalStatus, Substance


@dataclass(frozen=True)
class StatusChange:
    """One change of one jurisdiction's rule for one substance.

    `status` is None when a rule ended with nothing after it ("no rule of its own"); likewise
    `previous_status` is None for the first rule a jurisdiction made.
    """

    day: datetime.date  # the first day under the new rule
    precision: str  # how much of `day` is known: day, month or year
    jurisdiction: Jurisdiction
    substance: Substance
    status: str | None
    minimum_age: int | None
    previous_status: str | None
    previous_minimum_age: int | None
    entry_id: int  # the entry that starts, or that ended
    recorded_at: datetime.datetime  # when that entry was recorded
    summary: str
    unverified: bool
    effective_until: datetime.date | None  # of the new rule (half-open), None: open-ended

    @property
    def key(self) -> str:
        """A stable id for links and feeds: the entry and whether it starts or ends here."""
        return f"{self.entry_id}-{'start' if self.status is not None else 'end'}"

    def is_upcoming(self, today: datetime.date) -> bool:
        return self.day > today


def status_changes(
    *,
    jurisdiction_ids: Iterable[int] | None = None,
    within: str | None = None,
    country: str | None = None,
    substance: str | None = None,
    status: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[StatusChange]:
    """Every status change of the published entries, newest first (by the day of the change).

    Filters: `jurisdiction_ids` (those jurisdictions only), `within` (the OCD id of a country
    or state: it and everything inside it), `country` (ISO alpha-2), `substance` (slug),
    `status` (the new status; "none" for a rule that ended), `since` and `until` (the day of
    the change, inclusive). Periods with no known start are not dated changes and are left
    out. One query: the published entries with their jurisdiction and substance.
    """
    if jurisdiction_ids is not None and not (within or country or substance):
        # Query: the layers' published periods in time order (a place's history, its feed).
        rows = _periods_of_rows(_periods_of.rows(ids=sorted(set(jurisdiction_ids))))
        return _filtered(_every_change(rows), status=status, since=since, until=until)
    entries = LegalStatus.objects.published().select_related("jurisdiction", "substance")
    if jurisdiction_ids is not None:
        entries = entries.filter(jurisdiction_id__in=list(jurisdiction_ids))
    if within:
        entries = entries.filter(
            Q(jurisdiction__ocd_id=within) | Q(jurisdiction__ocd_id__startswith=f"{within}/")
        )
    if country:
        entries = entries.filter(jurisdiction__country_code__iexact=country)
    if substance:
        entries = entries.filter(substance__slug=substance)
    # Query: the published periods, grouped by jurisdiction and substance, in time order.
    rows = entries.defer(*_UNREAD).order_by(*_IN_TIME_ORDER)
    return _filtered(_every_change(rows), status=status, since=since, until=until)


_UNREAD = ("internal_notes", "details")
_IN_TIME_ORDER = (
    "jurisdiction_id",
    "substance_id",
    F("effective_from").asc(nulls_first=True),
    "id",
)
# What _changes_of reads of a period, in the model's order (as from_db takes them): a place's
# page reads its history on every request, and the activity rules' and limits' columns cost
# more to convert than the rest.
_READ = {
    "id",
    "jurisdiction",
    "substance",
    "status",
    "minimum_age",
    "effective_from",
    "effective_from_precision",
    "effective_until",
    "created_at",
    "summary",
    "unverified",
}
_PERIOD_FIELDS = [f.attname for f in LegalStatus._meta.concrete_fields if f.name in _READ]
_RELATED = {
    "jurisdiction": (Jurisdiction, [f.attname for f in Jurisdiction._meta.concrete_fields]),
    "substance": (Substance, [f.attname for f in Substance._meta.concrete_fields]),
}


@compiled
def _periods_of(ids):
    return (
        LegalStatus.objects.published()
        .filter(jurisdiction_id__in=ids)
        .order_by(*_IN_TIME_ORDER)
        .values_list(
            *_PERIOD_FIELDS,
            *(f"{name}__{field}" for name, (_, fields) in _RELATED.items() for field in fields),
        )
    )


def _periods_of_rows(rows: list[tuple]) -> list[LegalStatus]:
    """The rows of _periods_of as select_related("jurisdiction", "substance") reads them."""
    periods = []
    for row in rows:
        period = LegalStatus.from_db("default", _PERIOD_FIELDS, row[: len(_PERIOD_FIELDS)])
        start = len(_PERIOD_FIELDS)
        for name, (model, fields) in _RELATED.items():
            related = model.from_db("default", fields, row[start : start + len(fields)])
            period._state.fields_cache[name] = related
            start += len(fields)
        periods.append(period)
    return periods


def _every_change(rows: Iterable[LegalStatus]) -> list[StatusChange]:
    return [
        change
        for _, periods in groupby(rows, key=lambda row: (row.jurisdiction_id, row.substance_id))
        for change in _changes_of(list(periods))
    ]


def _filtered(
    changes: list[StatusChange],
    *,
    status: str | None,
    since: datetime.date | None,
    until: datetime.date | None,
) -> list[StatusChange]:
    changes = [
        change
        for change in changes
        if (status is None or (change.status or "none") == status)
        and (since is None or change.day >= since)
        and (until is None or change.day <= until)
    ]
    changes.sort(key=lambda change: (change.day, change.recorded_at, change.entry_id), reverse=True)
    return changes


def _changes_of(periods: list[LegalStatus]) -> list[StatusChange]:
    """The changes of one jurisdiction and substance, from its periods in time order."""
    starts = {
        start_of_period(p.effective_from, p.effective_from_precision): p
        for p in periods
        if p.effective_from is not None
    }
    changes = []
    for period in periods:
        if period.effective_from is not None:
            start = start_of_period(period.effective_from, period.effective_from_precision)
            # Only a period ending the day this one starts came right before it; after a gap
            # (no rule in between) the ending was its own change.
            before = next((p for p in periods if p.effective_until == start), None)
            if before is None or _says(before) != _says(period):
                changes.append(_change(period, start, before=before))
        if period.effective_until is not None and period.effective_until not in starts:
            changes.append(_ended(period))  # the rule ended with none after it
    return changes


def _says(period: LegalStatus) -> tuple[str, int | None]:
    return period.status, period.minimum_age


def _change(
    period: LegalStatus, start: datetime.date, *, before: LegalStatus | None
) -> StatusChange:
    return StatusChange(
        day=start,
        precision=period.effective_from_precision or DatePrecision.DAY,
        jurisdiction=period.jurisdiction,
        substance=period.substance,
        status=period.status,
        minimum_age=period.minimum_age,
        previous_status=before.status if before is not None else None,
        previous_minimum_age=before.minimum_age if before is not None else None,
        entry_id=period.pk,
        recorded_at=period.created_at,
        summary=period.summary,
        unverified=period.unverified,
        effective_until=period.effective_until,
    )


def _ended(period: LegalStatus) -> StatusChange:
    return StatusChange(
        day=period.effective_until,
        precision=DatePrecision.DAY,
        jurisdiction=period.jurisdiction,
        substance=period.substance,
        status=None,
        minimum_age=None,
        previous_status=period.status,
        previous_minimum_age=period.minimum_age,
        entry_id=period.pk,
        recorded_at=period.created_at,
        summary=period.summary,
        unverified=period.unverified,
        effective_until=None,
    )
