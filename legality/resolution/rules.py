"""The rules of resolution, as pure functions of already-loaded layers (no database).

A place's answer combines every enclosing layer with an entry in force on the date: the most
restrictive decides (a tie goes to the broadest layer), the minimum age is the highest that
applies. Two refinements keep local answers honest (issue #6): a county entry that reaches only
unincorporated areas does not decide for a town inside the county, and a restrictive entry with
no known start does not decide a date before its earliest evidence.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import replace

from legality.dates import describe_known_by
from legality.models import DatePrecision, LegalStatus

from .activities import combine_activities
from .answers import (
    KRATOM,
    LEVEL_ORDER,
    RANK,
    SEVEN_OH,
    UNKNOWN,
    Answer,
    Assumption,
    Change,
    Elsewhere,
    Enclosure,
    Entry,
    JurisdictionRef,
    Layer,
    Result,
    Standing,
    SubstanceRef,
    ZipCounty,
)

Status = LegalStatus.Status
AppliesTo = LegalStatus.AppliesTo

NOTE_OUTSIDE_CITY_LIMITS = "applies only outside city limits"
NOTE_MAY_BE_INSIDE_CITY_LIMITS = (
    "applies only outside city limits, and this place may be inside them"
)
NOTE_SCOPE_UNKNOWN = "may apply only outside city limits"
NOTE_NOT_HERE = "applies only outside city limits, so not here"
NOTE_KRATOM_BAN = "the kratom ban here covers 7-OH products"
NOTE_APPROXIMATE = "the place this ZIP code's postal city names; check the city limits"
NOTE_OTHER_PART = "applies only in the part of the place in this county"


class Shared:
    """Work the targets of one `resolve_many` call share: what a layer says of a substance on a
    day, and a substance's result over the same layers (every ZIP code of a state reads the
    same country and state, many the same county). Keyed by identity (see _reading), so it
    holds what it keys: it lives for one call, never across requests."""

    def __init__(self, *, summary_only: bool = False) -> None:
        # Only the status and who decides it: no activities, no dated changes to come and no
        # layer without an entry (a bulk lookup's answer shows none of them).
        self.summary_only = summary_only
        self.layers: dict[tuple, Layer] = {}  # by _reading alone for a layer with no entry
        self.results: dict[tuple, Result] = {}
        self.upcoming: dict[tuple, list[Change]] = {}
        self.held: list[object] = []


def resolve_layers(
    place: JurisdictionRef,
    enclosures: Sequence[Enclosure],
    *,
    on: datetime.date,
    substances: Sequence[SubstanceRef],
    zip_code: str | None = None,
    shared: Shared | None = None,
) -> Answer:
    """The answer for `place` on `on`, per substance, from its already-loaded layers.

    `enclosures` are the place's layers (country, state, counties, the place) with all their
    published entries, in any order; they are shown broadest first. For a ZIP code lookup pass
    `zip_code`; `place` is then the assumed place (its enclosure `approximate`), or the ZIP's
    county or state when its postal city names no place. A substance no layer knows answers
    `unknown`. `shared`: the work of other places in the same call (see Shared).
    """
    shared = shared if shared is not None else Shared()
    # Broadest first; a place's counties: the one holding most residents, then the smaller
    # parts in the census order they were loaded in.
    ordered = [
        e
        for _, e in sorted(
            ((i, e) for i, e in enumerate(enclosures) if not e.uninhabited and not e.beside),
            key=lambda item: (
                LEVEL_ORDER[item[1].jurisdiction.level],
                item[1].part,
                item[0] if item[1].part else 0,
                item[1].jurisdiction.ocd_id,
            ),
        )
    ]
    uninhabited = tuple(e.jurisdiction for e in enclosures if e.uninhabited)
    in_municipality = _in_municipality(place, is_zip_code=zip_code is not None)
    if zip_code is not None:
        sides = _sides(place, enclosures, ordered)
    else:
        sides = _parts(place, ordered, in_municipality)
    if sides and place.level == "place" and place.is_incorporated:
        in_municipality = True  # the answer is the town's; outside its limits is a side
    results = tuple(
        _with_sides(
            _resolved(ordered, substance, on=on, in_municipality=in_municipality, shared=shared),
            sides,
            on=on,
            shared=shared,
        )
        for substance in substances
    )
    return Answer(
        as_of=on,
        place=place,
        results=results,
        zip_code=zip_code,
        uninhabited_counties=uninhabited,
        zip_counties=zip_counties(enclosures),
    )


def layer_alone(
    place: JurisdictionRef,
    enclosure: Enclosure,
    substance: SubstanceRef,
    *,
    on: datetime.date,
    shared: Shared,
) -> Layer | None:
    """What one of a place's layers says on `on`, as `resolve_layers` shows it when that layer
    is the only one (a place's timeline reads each layer so, day by day): its entry, status,
    age and standing. With `shared.summary_only`, None when it has no entry that day. The work
    of resolve_layers without its answer: a place asked about alone has no sides."""
    in_municipality = _in_municipality(place, is_zip_code=False)
    layers = _resolved(
        [enclosure], substance, on=on, in_municipality=in_municipality, shared=shared
    ).layers
    return layers[0] if layers else None


def zip_counties(enclosures: Iterable[Enclosure]) -> tuple[ZipCounty, ...]:
    """A ZIP code's counties with their share of its land, the largest share first."""
    shares = [(e.jurisdiction, e.zip_share) for e in enclosures if e.zip_share]
    return tuple(
        ZipCounty(county, share)
        for county, share in sorted(shares, key=lambda pair: (-pair[1], pair[0].ocd_id))
    )


# A side of a line: where it is, its layers, and whether it is inside a municipality.
_Side = tuple[str, list[Enclosure], bool | None]


def _sides(
    place: JurisdictionRef, enclosures: Sequence[Enclosure], ordered: list[Enclosure]
) -> list[_Side]:
    """The other sides of a ZIP code: outside its town's limits, and its other counties.

    The town's side is the answer itself. Outside the limits of an incorporated town lies
    unincorporated county land of its primary county; each other county of the ZIP code's area
    is a side of its own, answered with the ZIP's state (whether that part is in a town is not
    known).
    """
    broad = [e for e in ordered if e.jurisdiction.level in ("country", "state")]
    primary = [e for e in ordered if e.jurisdiction.level == "county"]
    sides: list[_Side] = []
    if place.level == "place" and place.is_incorporated and primary:
        where = f"outside the town limits, in unincorporated {primary[0].jurisdiction.name}"
        sides.append((where, [*broad, primary[0]], False))
    for county in sorted(
        (e for e in enclosures if e.beside),
        key=lambda e: (-(e.zip_share or 0), e.jurisdiction.ocd_id),
    ):
        share = f" ({county.zip_share:.0%} of the ZIP code's land)" if county.zip_share else ""
        sides.append((f"in {county.jurisdiction.name}{share}", [*broad, county], None))
    return sides


def _parts(
    place: JurisdictionRef, ordered: list[Enclosure], in_municipality: bool | None
) -> list[_Side]:
    """The parts of a place in several counties other than the part holding most residents.

    Each part answers with the place's own layers and its county's in place of the main one
    (a township's parent county included): it is still inside the place, whose own law reaches
    all of it; only its county differs.
    """
    sides: list[_Side] = []
    for county in (e for e in ordered if e.part):
        layers = [
            replace(e, part=False) if e is county else e
            for e in ordered
            if e is county or e.jurisdiction.level != "county"
        ]
        where = f"in the part of {place.name} in {county.jurisdiction.name}"
        sides.append((where, layers, in_municipality))
    return sides


def _with_sides(result: Result, sides: list[_Side], *, on: datetime.date, shared: Shared) -> Result:
    """`result` with the sides that answer otherwise, and the strictest answer anywhere."""
    elsewhere = []
    for where, layers, in_municipality in sides:
        # Of a side only its status, who decides it and its age are read: no activities or
        # changes to come are worked out for it.
        side = _resolved(
            layers,
            result.substance,
            on=on,
            in_municipality=in_municipality,
            shared=shared,
            summary_only=True,
        )
        if side.status != result.status:
            elsewhere.append(Elsewhere(where, side.status, side.decided_by, side.minimum_age))
    if not elsewhere:  # resolve_substance's result is its own strictest answer
        return result
    statuses = [result.status, *(e.status for e in elsewhere)]
    strictest = max(statuses, key=lambda status: RANK.get(status, -1))
    return replace(result, elsewhere=tuple(elsewhere), strictest=strictest)


def _in_municipality(place: JurisdictionRef, *, is_zip_code: bool) -> bool | None:
    """Whether the location asked about lies inside an incorporated municipality; None: unknown.

    A county, state or country is asked about as a whole, so an unincorporated-only county
    entry decides its answer. A ZIP code's place is approximate: an incorporated one may still
    leave the ZIP partly outside city limits, so that reads as unknown.
    """
    if place.level != "place":
        return False
    if is_zip_code:
        return None if place.is_incorporated is not False else False
    return place.is_incorporated


def _resolved(
    enclosures: Sequence[Enclosure],
    substance: SubstanceRef,
    *,
    on: datetime.date,
    in_municipality: bool | None,
    shared: Shared,
    summary_only: bool = False,
) -> Result:
    """resolve_substance, once per set of layers in a call (and per `summary_only`)."""
    summary_only = summary_only or shared.summary_only
    key = (*map(_reading, enclosures), substance.slug, on, in_municipality, summary_only)
    if (result := shared.results.get(key)) is None:
        shared.held.append(enclosures)
        result = shared.results[key] = resolve_substance(
            enclosures,
            substance,
            on=on,
            in_municipality=in_municipality,
            shared=shared,
            summary_only=summary_only,
        )
    return result


def resolve_substance(
    enclosures: Sequence[Enclosure],
    substance: SubstanceRef,
    *,
    on: datetime.date,
    in_municipality: bool | None,
    shared: Shared | None = None,
    summary_only: bool | None = None,
) -> Result:
    """The result for one substance; `enclosures` broadest first (see resolve_layers).

    `summary_only` (default: the Shared's): leave out the activities, the dated changes to come
    and the layers with no entry (see Shared).
    """
    shared = shared if shared is not None else Shared()
    if summary_only is None:
        summary_only = shared.summary_only
    layers = tuple(
        _shared_layer(e, substance.slug, on=on, in_municipality=in_municipality, shared=shared)
        for e in enclosures
    )
    upcoming = (
        ()
        if summary_only
        else _upcoming(
            enclosures, substance.slug, on=on, in_municipality=in_municipality, shared=shared
        )
    )
    # What a layer outside the entry's scope, or answering for another part, assumed did not
    # shape the answer.
    assumptions = tuple(
        dict.fromkeys(
            code
            for layer in layers
            if layer.standing not in (Standing.OUTSIDE_SCOPE, Standing.OTHER_PART)
            for code in layer.assumptions
        )
    )
    applying = [layer for layer in layers if layer.applies]
    # A summary keeps the layers with an entry: ZIP codes whose towns have none share it.
    kept = tuple(la for la in layers if la.entry is not None) if summary_only else layers
    if not applying:
        return Result(
            substance=substance,
            status=UNKNOWN,
            strictest=UNKNOWN,
            minimum_age=None,
            decided_by=None,
            entry=None,
            last_verified_at=None,
            stale=False,
            unverified=False,
            layers=kept,
            upcoming=upcoming,
            assumptions=assumptions,
            activities=() if summary_only else combine_activities(layers),
        )
    # max() keeps the first of equals, and layers run broadest first: a tie goes to the broadest.
    decider = max(applying, key=lambda layer: RANK[layer.status])
    minimum_age = max(
        (la.minimum_age for la in applying if la.minimum_age is not None), default=None
    )
    deciding = [decider.entry]
    age_layer = None
    if minimum_age is not None:
        age_layer = next(la for la in applying if la.minimum_age == minimum_age)
        deciding.append(age_layer.entry)
    # What a reader is shown: the decider, and the age's layer where the age is shown at all
    # (beside "banned" it is not). Their review state is the one a page states.
    shown = deciding if decider.status != Status.BANNED else [decider.entry]
    flagged = [entry.flagged_on for entry in shown if entry.flagged_on is not None]
    return Result(
        substance=substance,
        status=decider.status,
        strictest=decider.status,
        minimum_age=minimum_age,
        decided_by=decider.jurisdiction,
        entry=decider.entry,
        last_verified_at=decider.entry.last_verified_at,
        stale=any(entry.has_open_flag for entry in deciding),
        unverified=decider.entry.unverified,
        layers=kept,
        upcoming=upcoming,
        assumptions=assumptions,
        activities=() if summary_only else combine_activities(layers),
        minimum_age_set_by=age_layer.jurisdiction if age_layer is not None else None,
        due_since=min(flagged, default=None),
        is_being_checked=any(entry.is_being_checked for entry in shown),
    )


def standing_on(entry: Entry, on: datetime.date) -> str | None:
    """APPLIES or START_DATE_UNKNOWN when `entry` covers `on`, None when it does not.

    Periods are half-open. A missing start is open for a `legal` entry (no kratom law ever
    applied); a restrictive entry with no known start is only known to be in force from its
    earliest evidence (`Entry.known_by`), and before that its standing is START_DATE_UNKNOWN.
    An entry with no dated evidence at all counts as in force.
    """
    if entry.effective_until is not None and on >= entry.effective_until:
        return None
    start = entry.start
    if start is not None:
        return Standing.APPLIES if start <= on else None
    known_by = entry.known_by
    if entry.status == Status.LEGAL or known_by is None or known_by[0] <= on:
        return Standing.APPLIES
    return Standing.START_DATE_UNKNOWN


def _entry_on(entries: Iterable[Entry], on: datetime.date) -> tuple[Entry | None, str]:
    """The entry covering `on` and its standing; periods do not overlap, but if a row written
    around clean() makes two cover the date, the more restrictive one is shown."""
    found = [(entry, standing) for entry in entries if (standing := standing_on(entry, on))]
    if not found:
        return None, Standing.NO_ENTRY
    in_force = [item for item in found if item[1] == Standing.APPLIES] or found
    return max(in_force, key=lambda item: RANK[item[0].status])


def _reading(enclosure: Enclosure) -> tuple:
    """What the rules read of an enclosure (its jurisdiction, entries, whether it is a ZIP
    code's approximate place or a place's smaller part; not its share of a ZIP's land), by
    identity: the loader makes one JurisdictionRef and one tuple of entries per jurisdiction."""
    return (
        id(enclosure.jurisdiction),
        id(enclosure.entries),
        enclosure.approximate,
        enclosure.part,
    )


def _shared_layer(
    enclosure: Enclosure, slug: str, *, on: datetime.date, in_municipality: bool | None, shared
) -> Layer:
    # A layer with no entry says nothing, whatever the substance, day or side of the limits.
    reading = _reading(enclosure)
    key = (reading, slug, on, in_municipality) if enclosure.entries else reading
    if (layer := shared.layers.get(key)) is None:
        shared.held.append(enclosure)
        layer = shared.layers[key] = _layer(enclosure, slug, on=on, in_municipality=in_municipality)
    return layer


def _layer(
    enclosure: Enclosure, slug: str, *, on: datetime.date, in_municipality: bool | None
) -> Layer:
    entry, standing = _entry_on((e for e in enclosure.entries if e.substance == slug), on)
    status = entry.status if entry is not None else None
    notes: list[str] = []
    if enclosure.part:
        notes.append(NOTE_OTHER_PART)
    assumptions: list[str] = []
    if enclosure.approximate:
        notes.append(NOTE_APPROXIMATE)
        assumptions.append(Assumption.ZIP_PLACE_APPROXIMATE)
    if slug == SEVEN_OH and standing != Standing.APPLIES:
        # A ban on kratom (the plant and its alkaloids) covers 7-OH products unless the layer
        # has its own 7-OH entry in force.
        kratom = _entry_on((e for e in enclosure.entries if e.substance == KRATOM), on)
        if kratom[1] == Standing.APPLIES and kratom[0].status == Status.BANNED:
            (entry, standing), status = kratom, Status.BANNED
            notes.append(NOTE_KRATOM_BAN)
            assumptions.append(Assumption.COVERED_BY_KRATOM_BAN)
    if entry is None:
        return Layer(
            enclosure.jurisdiction,
            None,
            None,
            None,
            Standing.NO_ENTRY,
            approximate=enclosure.approximate,
            notes=tuple(notes),
            assumptions=tuple(assumptions),
        )
    applies_to = _applies_to(enclosure, entry)
    if standing == Standing.START_DATE_UNKNOWN:
        # START_DATE_UNKNOWN means known_by is set; the fallback only satisfies the type.
        day, precision = entry.known_by or (on, DatePrecision.DAY)
        notes.append(f"start date unknown; {describe_known_by(day, precision)}")
        assumptions.append(Assumption.START_DATE_UNKNOWN)
    else:
        standing, scope_notes, scope_assumptions = _scope(applies_to, in_municipality)
        notes.extend(scope_notes)
        assumptions.extend(scope_assumptions)
    if enclosure.part and standing == Standing.APPLIES:
        standing = Standing.OTHER_PART
    return Layer(
        enclosure.jurisdiction,
        entry,
        status,
        entry.minimum_age,
        standing,
        approximate=enclosure.approximate,
        applies_to=applies_to,
        notes=tuple(notes),
        assumptions=tuple(assumptions),
    )


def _applies_to(enclosure: Enclosure, entry: Entry) -> str | None:
    """A county entry's scope: "whole", "unincorporated" or "" (unknown); None elsewhere.

    A consolidated city-county's entry with no scope recorded covers the whole: the city and
    the county are one government, so there are no city limits for it to stop at.
    """
    if enclosure.jurisdiction.level != "county":
        return None
    if enclosure.jurisdiction.is_city_county and not entry.applies_to:
        return AppliesTo.WHOLE
    return entry.applies_to


def _scope(
    applies_to: str | None, in_municipality: bool | None
) -> tuple[str, list[str], list[str]]:
    """Whether a county entry in force reaches the location asked about, with the caveats.

    An unknown scope, or an unknown side of the city limits, never reads as "legal": the entry
    still counts and the answer says what it assumed.
    """
    if applies_to is None or applies_to == AppliesTo.WHOLE:
        return Standing.APPLIES, [], []
    if applies_to == AppliesTo.UNINCORPORATED:
        if in_municipality is True:
            return Standing.OUTSIDE_SCOPE, [NOTE_NOT_HERE], []
        if in_municipality is None:
            return (
                Standing.APPLIES,
                [NOTE_MAY_BE_INSIDE_CITY_LIMITS],
                [Assumption.COUNTY_SCOPE_UNKNOWN],
            )
        return Standing.APPLIES, [NOTE_OUTSIDE_CITY_LIMITS], []
    # Scope unknown: it reaches unincorporated areas either way.
    if in_municipality is False:
        return Standing.APPLIES, [], []
    return Standing.APPLIES, [NOTE_SCOPE_UNKNOWN], [Assumption.COUNTY_SCOPE_UNKNOWN]


def _upcoming(
    enclosures: Sequence[Enclosure],
    slug: str,
    *,
    on: datetime.date,
    in_municipality: bool | None,
    shared: Shared,
) -> tuple[Change, ...]:
    """Dated changes after `on` in any layer: what each layer says from each future start or end
    of one of its entries, where that differs from what it said just before."""
    changes = []
    for enclosure in enclosures:
        key = (_reading(enclosure), slug, on, in_municipality)
        if (found := shared.upcoming.get(key)) is None:
            shared.held.append(enclosure)
            found = shared.upcoming[key] = _upcoming_in(
                enclosure, slug, on=on, in_municipality=in_municipality
            )
        changes.extend(found)
    level = {e.jurisdiction.id: i for i, e in enumerate(enclosures)}
    return tuple(sorted(changes, key=lambda c: (c.date, level[c.jurisdiction.id])))


def _upcoming_in(
    enclosure: Enclosure, slug: str, *, on: datetime.date, in_municipality: bool | None
) -> list[Change]:
    """One layer's dated changes after `on`."""
    changes = []
    slugs = {slug, KRATOM} if slug == SEVEN_OH else {slug}
    relevant = [entry for entry in enclosure.entries if entry.substance in slugs]
    points: dict[datetime.date, str] = {}
    for entry in relevant:
        if entry.effective_until is not None and entry.effective_until > on:
            points.setdefault(entry.effective_until, DatePrecision.DAY)
    for entry in relevant:  # a start's precision wins over an end on the same day
        if entry.start is not None and entry.start > on:
            points[entry.start] = entry.effective_from_precision or DatePrecision.DAY
    if not points:  # nothing starts or ends after `on` (most layers): nothing to compare
        return changes
    said = _says(_layer(enclosure, slug, on=on, in_municipality=in_municipality))
    for day in sorted(points):
        now = _says(_layer(enclosure, slug, on=day, in_municipality=in_municipality))
        if now != said:
            status, minimum_age = now or (UNKNOWN, None)
            changes.append(Change(day, enclosure.jurisdiction, status, minimum_age, points[day]))
        said = now
    return changes


def _says(layer: Layer) -> tuple[str, int | None] | None:
    if layer.applies and layer.status is not None:
        return layer.status, layer.minimum_age
    return None
