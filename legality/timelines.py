"""A place's law over time: per substance, a dated band for each layer (country, state, county,
place), for the jurisdiction page's timelines.

Each band is cut at the days the layer's entries start, end or are first attested, and each piece
says what resolution says of that layer then (`layer_alone`: that layer alone, as it applies
to the place): its status, or "not yet attested" for a restrictive entry whose start is unknown,
or "does not apply here" for a county entry limited to unincorporated areas. Pieces with no entry
are gaps. No query when the entries resolving read are passed in, else two: the layers' published
entries and their sources.
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format

from legality.dates import format_date, last_day_in_force
from legality.resolution import (
    Answer,
    Enclosure,
    Entry,
    JurisdictionRef,
    Standing,
    SubstanceRef,
    layer_alone,
)
from legality.resolution.loading import load_entries
from legality.resolution.rules import Shared

SHOWN_AFTER_TODAY = datetime.timedelta(days=366)  # the axis runs a year past today, at least
SHOWN_BEFORE_TODAY_YEARS = 5  # and starts five years before today, at least


@dataclass(frozen=True)
class Piece:
    """A stretch of one layer's band: [start, end) with what the layer says then."""

    entry_id: int
    start: datetime.date  # the axis start for a piece that runs from before every known date
    end: datetime.date | None  # None: until further notice
    status: str
    minimum_age: int | None
    standing: str  # a Standing value
    start_words: str  # "1 July 2025", "February 2026", or "" (from before the axis)
    is_start_unknown: bool  # the entry's start is not known (drawn from the axis start)
    x: float = 0  # position and width on a 0-1000 axis, for the template's SVG
    width: float = 0
    # The page's words for it, written once here rather than by the template's conditions:
    # the SVG's CSS class, " 21 and over" after the status, and the rest of its list item.
    css_class: str = ""
    age_words: str = ""
    words: str = ""


@dataclass(frozen=True)
class Band:
    jurisdiction: JurisdictionRef
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Timeline:
    substance: SubstanceRef
    start: datetime.date  # the axis
    end: datetime.date
    today: datetime.date
    today_x: float
    bands: tuple[Band, ...]  # broadest layer first, as the answer lists them


def place_timelines(
    answer: Answer, *, today: datetime.date, entries: dict[int, tuple[Entry, ...]] | None = None
) -> tuple[Timeline, ...]:
    """The timelines of the answer's place for each of its substances, with `today` marked.

    The layers are the answer's own (the place, the counties it lies in, its state and
    country). The axis runs from the earliest known day (or five years before today) to a year
    past today or past the last dated change, whichever is later. `entries`: every published
    entry of every substance of the layers, by jurisdiction id, as `resolve_with_entries`
    returns them; without them, two queries read them.
    """
    layers = [layer.jurisdiction for layer in answer.results[0].layers] if answer.results else []
    if entries is None:
        # Queries: the layers' published entries (every substance) and their sources.
        entries = load_entries([j.id for j in layers], None)
    return tuple(
        _timeline(answer.place, layers, entries, result.substance, today=today)
        for result in answer.results
    )


def _timeline(
    place: JurisdictionRef,
    layers: list[JurisdictionRef],
    entries: dict[int, list[Entry]],
    substance: SubstanceRef,
    *,
    today: datetime.date,
) -> Timeline:
    cuts = {j.id: _cut_days(entries.get(j.id, ())) for j in layers}
    known = sorted({day for days in cuts.values() for day in days})
    start = min(known[0] if known else today, _years_before(today, SHOWN_BEFORE_TODAY_YEARS))
    start = start.replace(month=1, day=1)
    end = max(today + SHOWN_AFTER_TODAY, (known[-1] if known else today) + SHOWN_AFTER_TODAY)
    end = datetime.date(end.year + 1, 1, 1)
    # A piece shows only a layer's status, age and standing: no activities, no changes to come.
    shared = Shared(summary_only=True)
    bands = tuple(
        Band(
            j,
            _pieces(
                place,
                Enclosure(j, tuple(entries.get(j.id, ()))),
                substance,
                cuts[j.id],
                start,
                end,
                today=today,
                shared=shared,
            ),
        )
        for j in layers
    )
    return Timeline(substance, start, end, today, _x(today, start, end), bands)


def _cut_days(entries: list[Entry]) -> set[datetime.date]:
    """The days a layer's answer can change: entry starts, ends and first evidence."""
    days: set[datetime.date] = set()
    for entry in entries:
        days.update(day for day in (entry.start, entry.effective_until) if day is not None)
        if entry.effective_from is None and entry.known_by is not None:
            days.add(entry.known_by[0])
    return days


def _pieces(
    place: JurisdictionRef,
    enclosure: Enclosure,
    substance: SubstanceRef,
    cuts: set[datetime.date],
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date,
    shared: Shared,
) -> tuple[Piece, ...]:
    precisions = {e.start: e.effective_from_precision for e in enclosure.entries if e.start}
    days = [start, *sorted(day for day in cuts if start < day < end)]
    # Per stretch: [its entry, start, end, what the layer says then]. A stretch saying the same
    # as the one before it (the same entry, status, age and standing) extends that one; two
    # entries saying the same stay two (a re-enactment).
    stretches: list[list] = []
    for day, next_day in zip(days, [*days[1:], None], strict=True):
        layer = layer_alone(place, enclosure, substance, on=day, shared=shared)
        # A summary leaves out a layer with no entry on that day: a gap.
        if layer is None or layer.entry is None:
            continue
        says = (layer.entry.id, layer.status or "", layer.minimum_age, layer.standing)
        if stretches and stretches[-1][2] == day and stretches[-1][3] == says:
            stretches[-1][2] = next_day
        else:
            stretches.append([layer.entry, day, next_day, says])
    return tuple(
        _piece(
            entry,
            day,
            next_day,
            *says[1:],
            precisions=precisions,
            start=start,
            end=end,
            today=today,
        )
        for entry, day, next_day, says in stretches
    )


def _piece(
    entry: Entry,
    day: datetime.date,
    next_day: datetime.date | None,
    status: str,
    minimum_age: int | None,
    standing: str,
    *,
    precisions: dict[datetime.date, str],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> Piece:
    """A stretch of a band as a Piece: its place on the axis and its words."""
    start_words = "" if day == start else format_date(day, precisions.get(day, "day"))
    is_start_unknown = entry.effective_from is None
    if start_words:
        since = f"from {start_words}"
    elif is_start_unknown:
        since = (
            "no start date (no kratom law before it)" if status == "legal" else "start date unknown"
        )
    else:
        since = f"from before {start.year}"
    last_day = last_day_in_force(next_day)
    until = f" until {date_format(last_day, 'j F Y')}" if last_day else ", until further notice"
    if day > today:
        when = " — upcoming"
    elif not next_day or next_day > today:
        when = " — in force today"
    else:
        when = ""
    standing_words = {
        Standing.START_DATE_UNKNOWN: " — not yet attested then: it does not decide those dates",
        Standing.OUTSIDE_SCOPE: " — applies only outside city limits, so not here",
    }.get(standing, "")
    left = _x(day, start, end)
    return Piece(
        entry_id=entry.id,
        start=day,
        end=next_day,
        status=status,
        minimum_age=minimum_age,
        standing=standing,
        start_words=start_words,
        is_start_unknown=is_start_unknown,
        x=left,
        width=round(_x(next_day or end, start, end) - left, 1),
        css_class=f"s-{status}" + ("" if standing == Standing.APPLIES else " faint"),
        age_words=f" {minimum_age} and over" if minimum_age and status != "banned" else "",
        words=f"{since}{until}{when}{standing_words}",
    )


def _x(day: datetime.date, start: datetime.date, end: datetime.date) -> float:
    return round(1000 * (day - start).days / (end - start).days, 1)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years, day=min(day.day, 28))
