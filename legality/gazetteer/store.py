"""Writing the gazetteer: compare with the database, then insert and update in bulk.

Natural keys decide what a row is: the OCD id for jurisdictions and aliases, the code for ZIP
codes, (jurisdiction, search name) for alternate names and (place, county) for the counties a
place lies in. Only rows that differ are written, so a second run writes nothing. Rows the data
no longer has are left alone (statuses may point at them, curators may have added them), except
place-county links, which are derived from the data and follow it.

The database is read once per table, as tuples (values_list), and compared with the data as
tuples. New rows are inserted many to a statement (`bulk`), never one model instance or one
query per row; a fresh load of the shipped data takes about 7 s of CPU on SQLite.
"""

import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from legality.models import (
    Jurisdiction,
    JurisdictionName,
    OcdAlias,
    PlaceCounty,
    ZipCode,
    ZipCodeCounty,
)

from . import bulk
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
    loads). Jurisdictions get history records as simple-history's bulk helpers write them, with
    the change reason 'load_jurisdictions'. A failure rolls everything back. `batch_size` bounds
    the primary keys one DELETE of stale links lists.
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
        writer = _JurisdictionWriter()
        for kind, level in _LEVELS:
            rows = [row for row in gazetteer.jurisdictions if row.level == level]
            step(kind, lambda rows=rows, level=level: writer.write(rows, level))
        ids = writer.ids
        names, aliases, zips = gazetteer.alternate_names, gazetteer.aliases, gazetteer.zip_codes
        step("alternate names", lambda: _write_names(names, ids))
        step("OCD aliases", lambda: _write_aliases(aliases, ids))
        step("ZIP codes", lambda: _write_zip_codes(zips, ids))
        links = gazetteer.place_counties
        places = {ids[row.ocd_id] for row in gazetteer.jurisdictions if row.level == "place"}
        step("place counties", lambda: _write_place_counties(links, places, ids, batch_size))
        shares = gazetteer.zip_counties
        step("ZIP code counties", lambda: _write_zip_counties(shares, ids, batch_size))
    return LoadSummary(tuple(kinds), time.monotonic() - started)


class _JurisdictionWriter:
    """Writes jurisdictions level by level, keeping OCD id -> primary key for the next level."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.existing = {
            ocd_id: (pk, tuple(values))
            for pk, ocd_id, *values in Jurisdiction.objects.values_list("pk", "ocd_id", *_FIELDS)
        }
        self.ids = {ocd_id: pk for ocd_id, (pk, _) in self.existing.items()}

    def write(self, rows: Sequence[JurisdictionRow], level: str) -> _Counts:
        to_create: list[tuple[str, tuple[object, ...]]] = []  # (ocd_id, values of _FIELDS)
        to_update: list[tuple[str, tuple[object, ...]]] = []
        for row in rows:
            values = self._values(row)
            stored = self.existing.get(row.ocd_id)
            if stored is None:
                to_create.append((row.ocd_id, values))
            elif stored[1] != values:
                to_update.append((row.ocd_id, values))
        bulk.insert(Jurisdiction, ("ocd_id", *_FIELDS), ((o, *v) for o, v in to_create))
        if to_create:
            self.ids.update(Jurisdiction.objects.filter(level=level).values_list("ocd_id", "pk"))
        bulk.update(Jurisdiction, _FIELDS, ((*v, self.ids[o]) for o, v in to_update))
        self._history(to_create, "+")
        self._history(to_update, "~")
        return _Counts(len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update))

    def _history(self, written: list[tuple[str, tuple[object, ...]]], history_type: str) -> None:
        """Records what simple-history's bulk helpers record: every field of each row written."""
        bulk.insert_history(
            Jurisdiction,
            (
                {
                    "id": self.ids[ocd_id],
                    "ocd_id": ocd_id,
                    **dict(zip(_FIELDS, values, strict=True)),
                }
                for ocd_id, values in written
            ),
            history_type=history_type,
            change_reason=CHANGE_REASON,
            date=self.now,
        )

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


def _write_names(rows: Sequence[AlternateNameRow], ids: dict[str, int]) -> _Counts:
    existing = set(JurisdictionName.objects.values_list("jurisdiction_id", "search_name"))
    new = [
        (ids[row.ocd_id], row.name, row.search_name, row.population, row.needs_qualifier)
        for row in rows
        if (ids[row.ocd_id], row.search_name) not in existing
    ]
    columns = ("jurisdiction_id", "name", "search_name", "population", "needs_qualifier")
    bulk.insert(JurisdictionName, columns, new)
    return _Counts(len(new), 0, len(rows) - len(new))


def _write_aliases(rows: Iterable[AliasRow], ids: dict[str, int]) -> _Counts:
    existing = {
        ocd_id: (pk, (jurisdiction_id, note))
        for pk, ocd_id, jurisdiction_id, note in OcdAlias.objects.values_list(
            "pk", "ocd_id", "jurisdiction_id", "note"
        )
    }
    wanted = {row.alias_ocd_id: (ids[row.ocd_id], row.note) for row in rows}
    return _upsert(OcdAlias, ("ocd_id",), ("jurisdiction_id", "note"), wanted, existing)


def _write_zip_codes(rows: Iterable[ZipRow], ids: dict[str, int]) -> _Counts:
    existing = {
        code: (pk, tuple(values))
        for pk, code, *values in ZipCode.objects.values_list(
            "pk", "code", "postal_city", "state_id", "county_id", "place_id"
        )
    }
    wanted = {
        row.code: (
            row.postal_city,
            ids[row.state_ocd_id],
            ids[row.county_ocd_id] if row.county_ocd_id else None,
            ids[row.place_ocd_id] if row.place_ocd_id else None,
        )
        for row in rows
    }
    fields = ("postal_city", "state_id", "county_id", "place_id")
    return _upsert(ZipCode, ("code",), fields, wanted, existing)


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
    keys, fields = ("place_id", "county_id"), ("position", "has_residents")
    counts = _upsert(PlaceCounty, keys, fields, wanted, existing)
    return counts._replace(deleted=_delete_stale(PlaceCounty, wanted, existing, batch_size))


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
    keys, fields = ("zip_code_id", "county_id"), ("land_share", "position")
    counts = _upsert(ZipCodeCounty, keys, fields, wanted, existing)
    return counts._replace(deleted=_delete_stale(ZipCodeCounty, wanted, existing, batch_size))


_Key = TypeVar("_Key", bound=Hashable)


def _upsert(
    model: type[Model],
    key_fields: tuple[str, ...],
    value_fields: tuple[str, ...],
    wanted: dict[_Key, tuple[object, ...]],
    existing: dict[_Key, tuple[int, tuple[object, ...]]],
) -> _Counts:
    """Inserts the `wanted` rows `existing` lacks and updates those whose values differ.

    Both map a natural key (the values of `key_fields`: one value, or a tuple of several) to the
    values of `value_fields`; `existing` also gives each row's primary key.
    """
    to_create: list[tuple[object, ...]] = []
    to_update: list[tuple[object, ...]] = []
    for key, values in wanted.items():
        pk, current = existing.get(key, (None, None))
        if current == values:
            continue
        if pk is None:
            to_create.append((*(key if len(key_fields) > 1 else (key,)), *values))
        else:
            to_update.append((*values, pk))
    bulk.insert(model, (*key_fields, *value_fields), to_create)
    bulk.update(model, value_fields, to_update)
    return _Counts(len(to_create), len(to_update), len(wanted) - len(to_create) - len(to_update))


def _delete_stale(
    model: type[Model],
    wanted: Mapping[_Key, object],
    existing: Mapping[_Key, tuple[int, object]],
    batch_size: int,
) -> int:
    """Deletes the `existing` rows whose key `wanted` lacks; returns how many."""
    stale = [pk for key, (pk, _) in existing.items() if key not in wanted]
    for start in range(0, len(stale), batch_size):
        model.objects.filter(pk__in=stale[start : start + batch_size]).delete()
    return len(stale)
