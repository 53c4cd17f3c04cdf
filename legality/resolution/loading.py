"""Loading the layers of many places and ZIP codes at once, and `resolve` / `resolve_many`.

However many targets, layers, sources or history rows, resolving costs five queries: the
substances, the counties the targets lie in, every jurisdiction involved with its parent chain,
their published statuses (with their review state as subqueries), and the statuses' sources.
With no status at all the last one is skipped. A single lookup is the same code with one target.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from legality.activities import ACTIVITIES, Coding, ProductLimit, field_name
from legality.errors import TrackerError
from legality.geography import PlaceMatch
from legality.models import (
    Jurisdiction,
    ZipCode,
)

from . import queries
from .answers import (
    KRATOM,
    SEVEN_OH,
    Answer,
    Enclosure,
    Entry,
    JurisdictionRef,
    SourceRef,
    SubstanceRef,
)
from .rules import Shared, resolve_layers
from .summaries import layers_key, summary_answers


# A domain error (TrackerError) kept beside resolve(), the one place that raises it.
class UnknownSubstance(TrackerError):
    """A substance slug we do not track (views answer 400)."""

    def __init__(self, slugs: Iterable[str]) -> None:
        self.slugs = tuple(slugs)
        super().__init__(f"We track no substance called {', '.join(self.slugs)}.")


@dataclass(frozen=True)
class ZipTarget:
    """A ZIP code as the loader needs it: its certain state and county, its assumed place."""

    id: int
    code: str
    state_id: int
    county_id: int | None = None
    place_id: int | None = None
    # The counties of its area with their share of its land, in the Census's order, when the
    # caller has read them (a bulk lookup's finder does); None: the loader reads them.
    counties: tuple[tuple[int, Decimal], ...] | None = None

    @classmethod
    def of(cls, zip_code: ZipCode) -> "ZipTarget":
        return cls(
            zip_code.pk, zip_code.code, zip_code.state_id, zip_code.county_id, zip_code.place_id
        )


@dataclass(frozen=True)
class Target:
    """What to resolve: a jurisdiction by id, or a ZIP code (`place_id` its answer's place)."""

    place_id: int
    zip_code: ZipTarget | None = None

    @classmethod
    def of(cls, place: Jurisdiction | PlaceMatch, zip_code: ZipCode | None = None) -> "Target":
        if isinstance(place, PlaceMatch):
            zip_code = place.zip_code or zip_code
            place = place.jurisdiction
        return cls(place.pk, ZipTarget.of(zip_code) if zip_code is not None else None)


def resolve(
    place: Jurisdiction | PlaceMatch,
    *,
    on: datetime.date,
    substances: Sequence[str] | None = None,
    zip_code: ZipCode | None = None,
) -> Answer:
    """The legal status of each substance in `place` on `on`, with every layer and its sources.

    `place` is what `find_place` returned (a ZIP code match carries its ZipCode) or a
    Jurisdiction; pass `zip_code` with a Jurisdiction to ask about a ZIP code (its state and
    county are certain, its place approximate). `substances` are slugs (default: all, in their
    order); an unknown slug raises UnknownSubstance. Only published entries count. The queries
    of `resolve_many` for one target.
    """
    return resolve_many([Target.of(place, zip_code)], on=on, substances=substances)[0]


def resolve_many(
    targets: Sequence[Target],
    *,
    on: datetime.date,
    substances: Sequence[str] | None = None,
    summary_only: bool = False,
) -> list[Answer]:
    """`resolve` for many places and ZIP codes at once, in the order given.

    Five queries however many targets, layers, sources and periods (six when places and ZIP
    codes are mixed, four when no layer has a published status): the substances, then
    `load_layers`'s. Raises UnknownSubstance. `summary_only`: the results leave out each
    activity's answer, the dated changes to come and the layers with no entry (`activities`
    and `upcoming` empty) and a ZIP code's answer lists no counties (`zip_counties` empty),
    which a bulk lookup does not show; ZIP codes that read the same law share their results
    (see summaries.summary_answers).
    """
    wanted = _load_substances(substances)
    slugs = {s.slug for s in wanted} | ({KRATOM} if SEVEN_OH in {s.slug for s in wanted} else set())
    if summary_only:
        return summary_answers(Loaded(targets, substances=slugs), on=on, substances=wanted)
    loaded = load_layers(targets, substances=slugs)
    answers = []
    shared = Shared()
    # Targets with the same layers (ZIP codes of one town and county) share one computation;
    # the entries are the same for a jurisdiction id within one call.
    same_layers: dict[tuple, Answer] = {}
    for target, (place_ref, enclosures) in zip(targets, loaded, strict=True):
        code = target.zip_code.code if target.zip_code is not None else None
        key = layers_key(place_ref, enclosures, code)
        if (answer := same_layers.get(key)) is None:
            answer = same_layers[key] = resolve_layers(
                place_ref, enclosures, on=on, substances=wanted, zip_code=code, shared=shared
            )
        answers.append(answer if answer.zip_code == code else replace(answer, zip_code=code))
    return answers


def resolve_with_entries(
    place: Jurisdiction | PlaceMatch, *, on: datetime.date
) -> tuple[Answer, dict[int, tuple[Entry, ...]]]:
    """`resolve` for every substance, and the published entries it read, by jurisdiction id:
    every period of every substance of each layer, history included. A place's page draws its
    timelines from them instead of reading them again. The queries of `resolve`."""
    wanted = _load_substances(None)
    target = Target.of(place)
    [(place_ref, enclosures)] = load_layers([target], substances={s.slug for s in wanted})
    code = target.zip_code.code if target.zip_code is not None else None
    answer = resolve_layers(
        place_ref, enclosures, on=on, substances=wanted, zip_code=code, shared=Shared()
    )
    return answer, {e.jurisdiction.id: e.entries for e in enclosures}


def _load_substances(slugs: Sequence[str] | None) -> list[SubstanceRef]:
    # Query: the substances asked for (all of them by default), in their public order.
    rows = (
        queries.every_substance.rows()
        if slugs is None
        else queries.substances_named.rows(slugs=slugs)
    )
    found = [SubstanceRef(*row) for row in rows]
    if slugs is not None and (missing := set(slugs) - {s.slug for s in found}):
        raise UnknownSubstance(sorted(missing))
    return found


def load_layers(
    targets: Sequence[Target], *, substances: Iterable[str]
) -> list[tuple[JurisdictionRef, list[Enclosure]]]:
    """Each target's place and its layers with every published entry of `substances` (slugs).

    Four queries however many targets (five when places and ZIP codes are mixed, three when no
    layer has a status): the counties the targets lie in, every jurisdiction with its parent
    chain, their published statuses and the statuses' sources. Layers of a place: itself, its
    ancestors (state, country, and the county of a township) and every county it lies in, the
    county holding most of its residents first and the others marked `part`. Of a
    ZIP code: its state, its own county (not the assumed place's counties) and its assumed
    place, marked approximate; the other counties of its area come `beside` it, with their
    share of its land.
    """
    loaded = Loaded(targets, substances=substances)
    return [loaded.layers(index) for index in range(len(targets))]


class Loaded:
    """What `load_layers` reads for its targets, from which it makes each target's layers
    (`layers`); a bulk lookup's summaries make them only for the targets whose law they work
    out (see summaries.summary_answers). The queries of `load_layers`."""

    def __init__(self, targets: Sequence[Target], *, substances: Iterable[str]) -> None:
        self.targets = targets
        # Per target, its counties: a place's {county id: has residents}, a ZIP code's
        # {county id: share of its land}.
        self.counties = _load_counties(targets)
        ids = {t.place_id for t in targets} | {pk for links in self.counties for pk in links}
        for target in targets:
            if (zip_code := target.zip_code) is not None:
                ids.update(filter(None, (zip_code.state_id, zip_code.county_id, zip_code.place_id)))
        self.rows, read = _load_chains(ids)
        self.entries = load_entries(read, substances)
        # A jurisdiction loaded as a target's layer carries `is_city_county`; the same one
        # joined in as a parent (a township's county) does not, and is read as a plain county,
        # as for one lookup.
        self._refs: dict[int, JurisdictionRef] = {}
        self._city_county_refs: dict[int, JurisdictionRef] = {}
        self._made: dict[tuple, Enclosure] = {}

    def layers(self, index: int) -> tuple[JurisdictionRef, list[Enclosure]]:
        """The place and the layers of the target at `index`."""
        return _target_layers(self.targets[index], self.counties[index], self.rows, self.enclosure)

    def place(self, index: int) -> JurisdictionRef:
        """The place the answer of the target at `index` is for (as `layers` names it)."""
        return self.ref(self.rows[self.targets[index].place_id])

    def ref(self, jurisdiction: "_Chain") -> JurisdictionRef:
        refs = self._city_county_refs if jurisdiction.is_city_county else self._refs
        if (found := refs.get(jurisdiction.pk)) is None:
            found = refs[jurisdiction.pk] = jurisdiction_ref(jurisdiction)
        return found

    def enclosure(self, jurisdiction: "_Chain", **flags) -> Enclosure:
        # One JurisdictionRef and one tuple of entries per jurisdiction: resolve_many shares
        # the rules' work on them between targets (rules.Shared keys them by identity). The
        # Enclosure itself is immutable too: targets share it (a state's, a county's).
        key = (jurisdiction.pk, jurisdiction.is_city_county, *flags.items())
        if (found := self._made.get(key)) is None:
            found = self._made[key] = Enclosure(
                self.ref(jurisdiction), self.entries.get(jurisdiction.pk, ()), **flags
            )
        return found


class _Chain(NamedTuple):
    """A jurisdiction as a lookup loads it: the columns of a JurisdictionRef and its parent.
    A named tuple: a bulk lookup makes a thousand, and a frozen dataclass costs three times as
    much to make."""

    pk: int
    ocd_id: str
    name: str
    level: str
    is_incorporated: bool | None
    place_kind: str
    parent: "_Chain | None"
    is_city_county: bool = False  # read for the rows asked for, not for their parents


def _load_chains(ids: set[int]) -> tuple[dict[int, _Chain], list[int]]:
    """The jurisdictions by id, each with its parent chain (township -> county -> state ->
    country), and the ids of every jurisdiction read: those and their ancestors, whose
    entries are the layers'."""
    # Query: the jurisdictions and their ancestors, one row each, and whether each is a
    # city-county as an EXISTS subquery.
    rows = {row[0]: row for row in queries.with_ancestors.rows(ids=sorted(ids))}
    # A parent is one _Chain however many rows name it (a thousand ZIP codes' counties name a
    # few dozen states), and read as a plain jurisdiction: is_city_county is read only for the
    # rows asked for.
    parents: dict[int, _Chain] = {}

    def parent(pk: int | None) -> _Chain | None:
        # Three levels up are read, as deep as jurisdictions go (a township's country).
        if pk is None or (row := rows.get(pk)) is None:
            return None
        if (known := parents.get(pk)) is None:
            known = parents[pk] = _Chain(*row[:_PARENT], parent=parent(row[_PARENT]))
        return known

    asked = {
        pk: _Chain(*row[:_PARENT], parent=parent(row[_PARENT]), is_city_county=row[-1])
        for pk, row in rows.items()
        if pk in ids
    }
    return asked, list(rows)


_PARENT = queries.REF_FIELDS.index("parent")


def _target_layers(target, links, rows, enclosure) -> tuple[JurisdictionRef, list[Enclosure]]:
    """One target's enclosures from the loaded rows; `links`: its counties (see _load_counties)."""
    found: dict[int, Enclosure] = {}

    def add_with_chain(jurisdiction: _Chain, **flags) -> None:
        found[jurisdiction.pk] = enclosure(jurisdiction, **flags)
        parent = jurisdiction.parent
        while parent is not None:
            if parent.pk not in found:
                found[parent.pk] = enclosure(parent)
            parent = parent.parent

    place = rows[target.place_id]
    if (zip_code := target.zip_code) is None:
        add_with_chain(place)
        # `links` run in census order: the county holding most of the place's residents first.
        resident = [county_id for county_id, has_residents in links.items() if has_residents]
        for position, county_id in enumerate(resident):
            if position == 0:
                add_with_chain(rows[county_id])
            else:  # the law of a smaller part's county answers for that part only
                found.setdefault(county_id, enclosure(rows[county_id], part=True))
        for county_id, has_residents in links.items():
            if not has_residents:  # a part with no residents is a note on the page, not law
                found[county_id] = enclosure(rows[county_id], uninhabited=True)
        return found[place.pk].jurisdiction, list(found.values())
    # A ZIP's place is only assumed: its own county and state do not join the answer; each other
    # county of the ZIP's area answers its own side, with the ZIP's state.
    for county_id, share in links.items():
        if county_id != zip_code.county_id:
            found[county_id] = enclosure(rows[county_id], zip_share=share, beside=True)
    for pk in (zip_code.state_id, zip_code.county_id):
        if pk:
            add_with_chain(rows[pk], zip_share=links.get(pk))
    if zip_code.place_id:
        found[zip_code.place_id] = enclosure(rows[zip_code.place_id], approximate=True)
    return enclosure(place).jurisdiction, list(found.values())


def _load_counties(targets: Sequence[Target]) -> list[dict]:
    """Per target, its counties: a place's {county id: has residents}, a ZIP code's {county id:
    share of its land}. One query for the places' and one for the ZIP codes' (each skipped when
    there are none, or when every ZIP code's target carries its counties)."""
    place_ids = {t.place_id for t in targets if t.zip_code is None}
    zip_ids = {t.zip_code.id for t in targets if t.zip_code and t.zip_code.counties is None}
    within: dict[int, dict] = defaultdict(dict)
    shares: dict[int, dict] = defaultdict(dict)
    if place_ids:
        # Query: the counties the places lie in.
        for place_id, county_id, has_residents in queries.place_counties.rows(
            ids=sorted(place_ids)
        ):
            within[place_id][county_id] = has_residents
    if zip_ids:
        # Query: the counties of the ZIP codes' areas, with their share of its land.
        for zip_id, county_id, share in queries.zip_counties.rows(ids=sorted(zip_ids)):
            shares[zip_id][county_id] = share

    def links(target: Target) -> dict:
        if target.zip_code is None:
            return within[target.place_id]
        if target.zip_code.counties is None:
            return shares[target.zip_code.id]
        return dict(target.zip_code.counties)

    return [links(target) for target in targets]


def load_entries(
    jurisdiction_ids: Iterable[int] | None, substances: Iterable[str] | None
) -> dict[int, tuple[Entry, ...]]:
    """Every published entry of `substances` (slugs) in the jurisdictions, with its sources, by
    jurisdiction id; None for either means all of them (the maps read every entry). Two queries
    (one when there is no entry)."""
    # Query: every published period of the layers (history included, for `upcoming`), with the
    # substance's slug joined and its review state as subqueries.
    if jurisdiction_ids is None:
        rows = list(queries.statuses(substances=substances))
    elif substances is None:
        rows = queries.statuses_of.rows(ids=sorted(set(jurisdiction_ids)))
    else:
        rows = queries.statuses_of_named.rows(
            ids=sorted(set(jurisdiction_ids)), slugs=sorted(substances)
        )
    sources = _load_sources([row[0] for row in rows])
    # Each entry's `recorded_on` and `flagged_on` are days in the current time zone.
    zone = timezone.get_current_timezone()
    entries = defaultdict(list)
    for row in rows:
        entries[row[_JURISDICTION_ID]].append(entry_from_row(row, sources.get(row[0], ()), zone))
    return {pk: tuple(found) for pk, found in entries.items()}


# Where each column of a status's row (queries.ENTRY_FIELDS) is. The first columns are Entry's
# own first fields, in its order (the substance's slug for its `substance`).
_AT = {name: position for position, name in enumerate(queries.ENTRY_FIELDS)}
_JURISDICTION_ID = _AT["jurisdiction_id"]
_ENTRY_HEAD = _AT["created_at"]
_RULES = [_AT[field_name(activity)] for activity in ACTIVITIES]
assert [*queries.ENTRY_FIELDS[:_ENTRY_HEAD]] == [
    "substance__slug" if field.name == "substance" else field.name
    for field in dataclass_fields(Entry)[:_ENTRY_HEAD]
]


def entry_from_row(row: tuple, sources: tuple[SourceRef, ...], zone: datetime.tzinfo) -> Entry:
    """An Entry from a status's row of ENTRY_FIELDS (see queries) and its sources; its
    `recorded_on` and `flagged_on` are the days in `zone` of its creation and oldest open flag."""
    flagged_at = row[_AT["flagged_at"]]
    coding = Coding(
        rules=tuple(row[position] for position in _RULES),
        minimum_age_applies_to=tuple(row[_AT["minimum_age_applies_to"]]),
        product_limits=tuple(ProductLimit(**limit) for limit in row[_AT["product_limits"]]),
        penalty=row[_AT["penalty"]],
    )
    return Entry(
        *row[:_ENTRY_HEAD],
        recorded_on=row[_AT["created_at"]].astimezone(zone).date(),
        has_open_flag=row[_AT["has_open_flag"]],
        flagged_on=flagged_at.astimezone(zone).date() if flagged_at else None,
        is_being_checked=row[_AT["is_being_checked"]],
        sources=sources,
        coding=coding,
    )


def _load_sources(status_ids: list[int]) -> dict[int, tuple[SourceRef, ...]]:
    if not status_ids:
        return {}
    # Query: the statuses' sources through their link table, oldest publication first.
    found: dict[int, list[SourceRef]] = defaultdict(list)
    for status_id, *fields in queries.sources_of.rows(ids=status_ids):
        found[status_id].append(SourceRef(*fields))  # SOURCE_FIELDS are SourceRef's, in order
    return {pk: tuple(refs) for pk, refs in found.items()}


# A source's row is read into SourceRef by position (36 sources on a busy page).
assert queries.SOURCE_FIELDS == SourceRef._fields


def jurisdiction_ref(jurisdiction: "Jurisdiction | _Chain") -> JurisdictionRef:
    return JurisdictionRef(
        id=jurisdiction.pk,
        ocd_id=jurisdiction.ocd_id,
        name=jurisdiction.name,
        level=jurisdiction.level,
        is_incorporated=jurisdiction.is_incorporated,
        place_kind=jurisdiction.place_kind,
        # Annotated on the rows a lookup loads; a parent joined in (a township's county) is
        # read as a plain county.
        is_city_county=getattr(jurisdiction, "is_city_county", False),
    )
