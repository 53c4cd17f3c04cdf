"""Writing the gazetteer: compare with the database, then create and update in bulk.

Natural keys decide what a row is: the OCD id for jurisdictions and aliases, the code for ZIP
codes, (jurisdiction, search name) for alternate names and (place, county) for the counties a
place lies in. Only rows that differ are written, so a second run writes nothing. Rows the data
no longer has are left alone (statuses may point at them, curators may have added them), except
place-county links, which are derived from the data and follow it.
"""

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from legality.models import (
    Jurisdiction,
    JurisdictionName,
    OcdAlias,
    PlaceCounty,
    ZipCode,
    ZipCodeCounty,
)

from .rows import (
    AliasRow,
    AlternateNameRow,
    Gazetteer,
    JurisdictionRow,
    Level,
    PlaceCountyRow,
    ZipCountyRow,
    ZipRow,
)

BATCH_SIZE = 2000
CHANGE_REASON = "load_jurisdictions"
_FIELDS = (
    "name",
    "official_name",
    "search_name",
    "level",
    "division_type",
    "parent_id",
    "country_code",
    "iso_code",
    "census_geoid",
    "is_incorporated",
    "is_official_ocd_id",
    "place_kind",
    "population",
    "latitude",
    "longitude",
)
# Parents first: each level's parents have primary keys before it is written.
_LEVELS = (
    ("countries", Level.COUNTRY),
    ("first-level divisions", Level.STATE),
    ("counties", Level.COUNTY),
    ("places", Level.PLACE),
)


@dataclass(frozen=True)
class KindSummary:
    """What one kind of row went through: 'places: created 0, updated 2, unchanged 36094'."""

    kind: str
    created: int
    updated: int
    unchanged: int
    seconds: float
    deleted: int = 0  # only place counties: links the data no longer gives

    def __str__(self) -> str:
        deleted = f", deleted {self.deleted}" if self.deleted else ""
        return (
            f"{self.kind}: created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}{deleted} in {self.seconds:.1f} s"
        )


class _Counts(NamedTuple):
    created: int
    updated: int
    unchanged: int
    deleted: int = 0


@dataclass(frozen=True)
class LoadSummary:
    kinds: tuple[KindSummary, ...]
    seconds: float

    @property
    def has_changes(self) -> bool:
        return any(kind.created or kind.updated or kind.deleted for kind in self.kinds)

    def count(self, kind: str) -> KindSummary:
        return next(k for k in self.kinds if k.kind == kind)


def _quiet(kind: KindSummary) -> None:
    pass


OnWritten = Callable[[KindSummary], None]


def write_gazetteer(
    gazetteer: Gazetteer, *, on_written: OnWritten = _quiet, batch_size: int = BATCH_SIZE
) -> LoadSummary:
    """Upsert every row of `gazetteer` in one transaction; returns the counts per kind.

    `on_written` receives each kind's summary as soon as it is written (progress for long
    loads). Jurisdictions get history records through simple-history's bulk helpers, with the
    change reason 'load_jurisdictions'. A failure rolls everything back.
    """
    started = time.monotonic()
    kinds: list[KindSummary] = []

    def step(kind: str, write: Callable[[], _Counts]) -> None:
        begun = time.monotonic()
        counts = write()
        seconds = time.monotonic() - begun
        created, updated, unchanged, deleted = counts
        kinds.append(KindSummary(kind, created, updated, unchanged, seconds, deleted))
        on_written(kinds[-1])

    with transaction.atomic():
        writer = _JurisdictionWriter(batch_size)
        for kind, level in _LEVELS:
            rows = [row for row in gazetteer.jurisdictions if row.level == level]
            step(kind, lambda rows=rows, level=level: writer.write(rows, level))
        ids = writer.ids
        names, aliases, zips = gazetteer.alternate_names, gazetteer.aliases, gazetteer.zip_codes
        step("alternate names", lambda: _write_names(names, ids, batch_size))
        step("OCD aliases", lambda: _write_aliases(aliases, ids, batch_size))
        step("ZIP codes", lambda: _write_zip_codes(zips, ids, batch_size))
        links = gazetteer.place_counties
        places = {ids[row.ocd_id] for row in gazetteer.jurisdictions if row.level == "place"}
        step("place counties", lambda: _write_place_counties(links, places, ids, batch_size))
        shares = gazetteer.zip_counties
        step("ZIP code counties", lambda: _write_zip_counties(shares, ids, batch_size))
    return LoadSummary(tuple(kinds), time.monotonic() - started)


class _JurisdictionWriter:
    """Writes jurisdictions level by level, keeping OCD id -> primary key for the next level."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.now = timezone.now()
        self.existing = {
            ocd_id: (pk, tuple(values))
            for pk, ocd_id, *values in Jurisdiction.objects.values_list("pk", "ocd_id", *_FIELDS)
        }
        self.ids = {ocd_id: pk for ocd_id, (pk, _) in self.existing.items()}

    def write(self, rows: Sequence[JurisdictionRow], level: str) -> _Counts:
        to_create: list[Jurisdiction] = []
        to_update: list[Jurisdiction] = []
        changed: set[str] = set()
        for row in rows:
            values = self._values(row)
            stored = self.existing.get(row.ocd_id)
            if stored is not None and stored[1] == values:
                continue
            fields = dict(zip(_FIELDS, values, strict=True))
            if stored is None:
                to_create.append(Jurisdiction(ocd_id=row.ocd_id, **fields))
            else:
                to_update.append(Jurisdiction(pk=stored[0], ocd_id=row.ocd_id, **fields))
                pairs = zip(_FIELDS, stored[1], values, strict=True)
                changed.update(name for name, old, new in pairs if old != new)
        history = {"default_change_reason": CHANGE_REASON, "default_date": self.now}
        bulk_create_with_history(to_create, Jurisdiction, batch_size=self.batch_size, **history)
        if to_update:
            names = sorted(name.removesuffix("_id") for name in changed)  # parent_id -> parent
            bulk_update_with_history(
                to_update, Jurisdiction, names, batch_size=self.batch_size, **history
            )
        if to_create:
            self.ids.update(Jurisdiction.objects.filter(level=level).values_list("ocd_id", "pk"))
        return _Counts(len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update))

    def _values(self, row: JurisdictionRow) -> tuple[object, ...]:
        parent_id = self.ids[row.parent_ocd_id] if row.parent_ocd_id else None
        return (
            row.name,
            row.official_name,
            row.search_name,
            row.level,
            row.division_type,
            parent_id,
            row.country_code,
            row.iso_code,
            row.census_geoid,
            row.is_incorporated,
            row.is_official_ocd_id,
            row.place_kind,
            row.population,
            row.latitude,
            row.longitude,
        )


def _write_names(rows: Sequence[AlternateNameRow], ids: dict[str, int], batch_size: int) -> _Counts:
    existing = set(JurisdictionName.objects.values_list("jurisdiction_id", "search_name"))
    new = [
        JurisdictionName(
            jurisdiction_id=ids[row.ocd_id],
            name=row.name,
            search_name=row.search_name,
            population=row.population,
        )
        for row in rows
        if (ids[row.ocd_id], row.search_name) not in existing
    ]
    JurisdictionName.objects.bulk_create(new, batch_size=batch_size)
    return _Counts(len(new), 0, len(rows) - len(new))


def _write_aliases(rows: Iterable[AliasRow], ids: dict[str, int], batch_size: int) -> _Counts:
    existing = {
        ocd_id: (pk, (jurisdiction_id, note))
        for pk, ocd_id, jurisdiction_id, note in OcdAlias.objects.values_list(
            "pk", "ocd_id", "jurisdiction_id", "note"
        )
    }
    to_create: list[OcdAlias] = []
    to_update: list[OcdAlias] = []
    unchanged = 0
    for row in rows:
        values = (ids[row.ocd_id], row.note)
        pk, current = existing.get(row.alias_ocd_id, (None, None))
        alias = OcdAlias(pk=pk, ocd_id=row.alias_ocd_id, jurisdiction_id=values[0], note=row.note)
        if current == values:
            unchanged += 1
        else:
            (to_create if pk is None else to_update).append(alias)
    OcdAlias.objects.bulk_create(to_create, batch_size=batch_size)
    OcdAlias.objects.bulk_update(to_update, ["jurisdiction", "note"], batch_size=batch_size)
    return _Counts(len(to_create), len(to_update), unchanged)


def _write_zip_codes(rows: Iterable[ZipRow], ids: dict[str, int], batch_size: int) -> _Counts:
    existing = {
        code: (pk, tuple(values))
        for pk, code, *values in ZipCode.objects.values_list(
            "pk", "code", "postal_city", "state_id", "county_id", "place_id"
        )
    }
    to_create: list[ZipCode] = []
    to_update: list[ZipCode] = []
    unchanged = 0
    for row in rows:
        county = ids[row.county_ocd_id] if row.county_ocd_id else None
        place = ids[row.place_ocd_id] if row.place_ocd_id else None
        values = (row.postal_city, ids[row.state_ocd_id], county, place)
        pk, current = existing.get(row.code, (None, None))
        if current == values:
            unchanged += 1
            continue
        zip_code = ZipCode(
            pk=pk,
            code=row.code,
            postal_city=row.postal_city,
            state_id=values[1],
            county_id=county,
            place_id=place,
        )
        (to_create if pk is None else to_update).append(zip_code)
    ZipCode.objects.bulk_create(to_create, batch_size=batch_size)
    fields = ["postal_city", "state", "county", "place"]
    ZipCode.objects.bulk_update(to_update, fields, batch_size=batch_size)
    return _Counts(len(to_create), len(to_update), unchanged)


def _write_place_counties(
    links: Iterable[PlaceCountyRow], places: set[int], ids: dict[str, int], batch_size: int
) -> _Counts:
    """Makes the county links of the data's `places` those of the data.

    The links are derived data (the census, or ZIP codes where it says nothing): a link the
    data stopped giving would otherwise keep applying a wrong county's law to a place. Places
    the data does not list (added by a curator) keep their links.
    """
    existing = {
        (place, county): (pk, (position, has_residents))
        for pk, place, county, position, has_residents in PlaceCounty.objects.values_list(
            "pk", "place_id", "county_id", "position", "has_residents"
        )
        if place in places
    }
    wanted = {
        (ids[link.place_ocd_id], ids[link.county_ocd_id]): (link.position, link.has_residents)
        for link in links
    }
    to_create, to_update = [], []
    for (place, county), values in wanted.items():
        pk, current = existing.get((place, county), (None, None))
        if current == values:
            continue
        link = PlaceCounty(
            pk=pk, place_id=place, county_id=county, position=values[0], has_residents=values[1]
        )
        (to_create if pk is None else to_update).append(link)
    PlaceCounty.objects.bulk_create(to_create, batch_size=batch_size)
    PlaceCounty.objects.bulk_update(to_update, ["position", "has_residents"], batch_size=batch_size)
    stale = [pk for pair, (pk, _) in existing.items() if pair not in wanted]
    for start in range(0, len(stale), batch_size):
        PlaceCounty.objects.filter(pk__in=stale[start : start + batch_size]).delete()
    unchanged = len(wanted) - len(to_create) - len(to_update)
    return _Counts(len(to_create), len(to_update), unchanged, len(stale))


def _write_zip_counties(
    rows: Iterable[ZipCountyRow], ids: dict[str, int], batch_size: int
) -> _Counts:
    """Makes every ZIP code's county shares those of the data (derived data, like place links)."""
    zip_ids = dict(ZipCode.objects.values_list("code", "pk"))
    existing = {
        (zip_id, county): (pk, (share, position))
        for pk, zip_id, county, share, position in ZipCodeCounty.objects.values_list(
            "pk", "zip_code_id", "county_id", "land_share", "position"
        )
    }
    wanted = {
        (zip_ids[row.code], ids[row.county_ocd_id]): (row.land_share, row.position) for row in rows
    }
    to_create, to_update = [], []
    for (zip_id, county), (share, position) in wanted.items():
        pk, current = existing.get((zip_id, county), (None, None))
        if current == (share, position):
            continue
        link = ZipCodeCounty(
            pk=pk, zip_code_id=zip_id, county_id=county, land_share=share, position=position
        )
        (to_create if pk is None else to_update).append(link)
    ZipCodeCounty.objects.bulk_create(to_create, batch_size=batch_size)
    ZipCodeCounty.objects.bulk_update(to_update, ["land_share", "position"], batch_size=batch_size)
    stale = [pk for pair, (pk, _) in existing.items() if pair not in wanted]
    for start in range(0, len(stale), batch_size):
        ZipCodeCounty.objects.filter(pk__in=stale[start : start + batch_size]).delete()
    unchanged = len(wanted) - len(to_create) - len(to_update)
    return _Counts(len(to_create), len(to_update), unchanged, len(stale))
