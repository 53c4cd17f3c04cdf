"""US ZIP codes (the `zipcodes` package): their state, county-level division and place.

The ZIP data names a county ("San Diego County"); the `us` package turns the name into a FIPS
code, and the FIPS code finds the OCD county by its census_geoid. Where those disagree, a small
table decides (below). The place is approximate: the ZIP's postal city, when exactly one place
of that name in its state (or, failing that, its county) exists.
"""

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import us

from legality.geography import normalize_name

from .ocd import UsDivisions
from .rows import (
    GazetteerDataError,
    JurisdictionRow,
    PlaceCountyRow,
    ZipCountyRow,
    ZipRow,
    read_csv,
)
from .world import name_key

# Military post offices (APO/FPO) and the freely associated states (sovereign countries with US
# ZIP codes) have no US state or territory: they are not loaded.
SKIPPED_STATES: Final = {
    "AA": "military post office (APO/FPO)",
    "AE": "military post office (APO/FPO)",
    "AP": "military post office (APO/FPO)",
    "FM": "freely associated state (Micronesia)",
    "MH": "freely associated state (Marshall Islands)",
    "PW": "freely associated state (Palau)",
}
# County FIPS codes that changed after the OCD extract's (about 2010) vintage: the ZIP data and
# the `us` package have the current code, the OCD row the old one.
FIPS_VINTAGE: Final = {
    "02158": "02270",  # Kusilvak Census Area, called Wade Hampton until 2015
    "02063": "02261",  # Chugach Census Area, split from Valdez-Cordova in 2019
    "02066": "02261",  # Copper River Census Area, likewise
    "46102": "46113",  # Oglala Lakota County, called Shannon (46113) until 2015
}
# County names the ZIP data writes otherwise than the `us` package does.
COUNTY_NAMES: Final = {
    ("AK", "Municipality of Anchorage"): "Anchorage Municipality",
    ("AK", "City and Borough of Juneau"): "Juneau City and Borough",
}
DC_FIPS: Final = "11001"  # DC is its own county-equivalent; OCD has no county level below it
NO_COUNTY_LEVEL: Final = "none: OCD has no county level there (DC, Guam, USVI, American Samoa)"

_ZIP_CODE = re.compile(r"^[0-9]{5}$")
# Words postal city names spell out and Census names abbreviate, or the other way round.
_PLACE_WORDS: Final = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}


@functools.cache  # 42,000 ZIP codes share about 20,000 postal city names
def place_key(name: str) -> str:
    """How postal cities and place names compare: 'Saint Louis' == 'St. Louis', 'Mc Kinney'
    == 'McKinney', 'Winston Salem' == 'Winston-Salem'."""
    words = normalize_name(name).replace(".", " ").replace("-", " ").split()
    return "".join(ch for w in words for ch in _PLACE_WORDS.get(w, w) if ch.isalnum())


@dataclass(frozen=True)
class UsLookups:
    """What ZIP resolution needs from the US rows, keyed by plain strings."""

    state_by_postal_code: dict[str, str]  # 'CA' -> OCD id
    county_by_fips: dict[str, str]  # '06073' -> OCD id
    fips_by_county_name: dict[tuple[str, str], str]  # ('VA', name_key('Richmond city')) -> '51760'
    independent_cities: dict[str, str]  # '51760' -> ocd-division/country:us/state:va/place:richmond
    county_by_name: dict[tuple[str, str], str]  # (state OCD id, place_key) -> county OCD id
    states_with_counties: frozenset[str]
    places_by_name: dict[tuple[str, str], tuple[str, ...]]  # (state OCD id, place_key) -> places
    county_in_id: dict[str, str]  # township OCD id -> the county its id runs through
    census_counties: dict[str, frozenset[str]]  # place OCD id -> its census counties
    incorporated: frozenset[str]  # places that are municipalities


@dataclass(frozen=True)
class CountyMatch:
    """A ZIP code's county-level division (None when it has none) and how it was found.

    `independent_city` is set instead of a county for Richmond city, Baltimore city, ...: the
    city is its own county-equivalent and the ZIP code's place.
    """

    ocd_id: str | None
    outcome: str
    independent_city: str | None = None


def build_lookups(
    us_divisions: UsDivisions, census_counties: Mapping[str, Iterable[str]] | None = None
) -> UsLookups:
    """Index the OCD rows and the `us` package's county FIPS codes for ZIP resolution.

    `census_counties` maps a place's OCD id to its counties' OCD ids, where the census names
    them: a postal city then names a place only if the ZIP's county is one of them.
    """
    census_counties = census_counties or {}
    states, counties, places = us_divisions.states, us_divisions.counties, us_divisions.places
    state_by_postal_code = {s.iso_code.removeprefix("US-"): s.ocd_id for s in states}
    county_by_fips = county_ids_by_fips(counties)
    county_by_name = {(c.parent_ocd_id or "", place_key(c.name)): c.ocd_id for c in counties}
    places_by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    places_by_official_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for place in places:
        places_by_name[(place.parent_ocd_id or "", place_key(place.name))].append(place.ocd_id)
        places_by_official_name[(place.parent_ocd_id or "", place.official_name)].append(
            place.ocd_id
        )
    fips_by_county_name = {
        (postal_code, name_key(county.name)): county.fips
        for postal_code, county in _us_counties(state_by_postal_code)
    }
    return UsLookups(
        state_by_postal_code=state_by_postal_code,
        county_by_fips=county_by_fips,
        fips_by_county_name=fips_by_county_name,
        independent_cities=find_independent_cities(
            state_by_postal_code, set(county_by_fips), places_by_official_name
        ),
        county_by_name=county_by_name,
        states_with_counties=frozenset(state for state, _ in county_by_name),
        places_by_name={key: tuple(ids) for key, ids in places_by_name.items()},
        county_in_id=dict(us_divisions.nested_counties),
        census_counties={place: frozenset(counties) for place, counties in census_counties.items()},
        incorporated=frozenset(p.ocd_id for p in places if p.is_incorporated),
    )


def county_ids_by_fips(counties: Iterable[JurisdictionRow]) -> dict[str, str]:
    """'06073' -> the OCD id of San Diego County."""
    return {c.census_geoid: c.ocd_id for c in counties if c.census_geoid}


def _us_counties(state_by_postal_code: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
    """(postal code, county) for every county-equivalent the `us` package lists in the states."""
    for postal_code in state_by_postal_code:
        state = us.states.lookup(postal_code, field="abbr")
        for county in (state.counties or []) if state else []:
            yield postal_code, county


def independent_city_names(
    state_by_postal_code: Mapping[str, str], county_fips_known: Container[str]
) -> dict[str, tuple[str, str]]:
    """County-equivalents with no OCD county, by current FIPS code: (state OCD id, Census name).

    Those are independent cities (Richmond city, Baltimore city, Carson City) and DC. A code
    that changed since the OCD vintage (FIPS_VINTAGE) is looked up under its older code.
    """
    return {
        county.fips: (state_by_postal_code[postal_code], county.name)
        for postal_code, county in _us_counties(state_by_postal_code)
        if FIPS_VINTAGE.get(county.fips, county.fips) not in county_fips_known
    }


def find_independent_cities(
    state_by_postal_code: Mapping[str, str],
    county_fips_known: Container[str],
    places_by_official_name: Mapping[tuple[str, str], Sequence[str]],
) -> dict[str, str]:
    """'51760' -> the OCD id of Richmond city: the county-equivalents OCD has no county for.

    OCD keeps an independent city as a place whose Census name is the county's name; a name
    that fits no place, or several, is left out.
    """
    found = {}
    for fips, key in independent_city_names(state_by_postal_code, county_fips_known).items():
        if len(same_name := places_by_official_name.get(key, ())) == 1:
            found[fips] = same_name[0]
    return found


def county_fips(postal_code: str, county_name: str, lookups: UsLookups) -> str | None:
    """The FIPS code of a county as the ZIP data names it, or None.

    Names compare without case, accents, spaces and punctuation ('Dupage County' is 'DuPage
    County', 'St Louis County' is 'St. Louis County'); a name without its type gets it
    ('San Juan' is 'San Juan Municipio', 'James City' is 'James City County').
    """
    name = COUNTY_NAMES.get((postal_code, county_name), county_name)
    for candidate in (name, f"{name} County", f"{name} Municipio"):
        if fips := lookups.fips_by_county_name.get((postal_code, name_key(candidate))):
            return fips
    return None


def resolve_county(postal_code: str, county_name: str, lookups: UsLookups) -> CountyMatch:
    """The county-level division a ZIP's county name stands for, with how it was found."""
    if not county_name:
        return CountyMatch(None, "none: no county in the ZIP data")
    fips = county_fips(postal_code, county_name, lookups)
    if fips is None:
        return CountyMatch(None, "none: county not found in its state")
    if fips == DC_FIPS:
        return CountyMatch(None, NO_COUNTY_LEVEL)
    if city := lookups.independent_cities.get(fips):
        return CountyMatch(None, "independent city (the city is its place; no county)", city)
    if county := lookups.county_by_fips.get(fips):
        return CountyMatch(county, "county by name")
    if county := lookups.county_by_fips.get(FIPS_VINTAGE.get(fips, "")):
        return CountyMatch(county, "county by name, under its older FIPS code")
    return CountyMatch(None, "none: FIPS code not in the OCD counties")


def resolve_place(
    state_id: str, county_id: str | None, postal_city: str, lookups: UsLookups
) -> tuple[str | None, str]:
    """The place a postal city names when exactly one fits: in the state, else in the county.

    A township whose id runs through another county than the ZIP's does not fit; places that
    are peers of counties (the usual state/place ids) fit any county, as OCD does not say
    which county they lie in.
    """
    candidates = lookups.places_by_name.get((state_id, place_key(postal_city)), ())
    if not candidates:
        return None, "none: no place of that name"
    if len(candidates) == 1 and _fits(candidates[0], county_id, lookups):
        return candidates[0], "only place of that name in its state"
    fitting = [place for place in candidates if _fits(place, county_id, lookups)]
    if len(fitting) == 1:
        return fitting[0], "only place of that name that can lie in its county"
    # A city beats a same-name township (Alton city and Alton township, both in Madison County).
    municipal = [place for place in fitting if place in lookups.incorporated]
    if len(municipal) == 1:
        return municipal[0], "only municipality of that name that can lie in its county"
    return None, "none: several places of that name" if fitting else "none: place in another county"


def _fits(place_id: str, county_id: str | None, lookups: UsLookups) -> bool:
    if county_id is not None and (census := lookups.census_counties.get(place_id)):
        return county_id in census
    county_in_id = lookups.county_in_id.get(place_id)
    return county_id is None or county_in_id is None or county_in_id == county_id


def resolve_zip_codes(
    records: Iterable[Mapping[str, Any]], lookups: UsLookups
) -> tuple[tuple[ZipRow, ...], dict[str, Counter[str]]]:
    """ZIP rows from `zipcodes` records, and counts of each outcome ('county', 'place', 'skipped').

    A record without a county takes the county every other ZIP of its postal city has, when
    they agree, else a county-level division named like its postal city (Saipan).
    """
    report: dict[str, Counter[str]] = {
        "county": Counter(),
        "place": Counter(),
        "skipped": Counter(),
    }
    resolved: list[tuple[Mapping[str, Any], str, CountyMatch]] = []
    counties: dict[tuple[str, str], CountyMatch] = {}  # 42,000 ZIP codes, 3,300 county names
    for record in records:
        postal_code = record["state"]
        state_id = lookups.state_by_postal_code.get(postal_code)
        if state_id is None or not _ZIP_CODE.match(record["zip_code"]):
            reason = SKIPPED_STATES.get(postal_code, f"unknown state {postal_code}")
            report["skipped"][reason if state_id is None else "not five digits"] += 1
            continue
        key = (postal_code, record["county"])
        if key not in counties:
            counties[key] = resolve_county(postal_code, record["county"], lookups)
        resolved.append((record, state_id, counties[key]))
    by_city = _counties_by_postal_city(resolved)
    rows: list[ZipRow] = []
    for record, state_id, county in resolved:
        if not record["county"]:
            county = _county_from_postal_city(state_id, record["city"], by_city, lookups)
        place, place_outcome = (county.independent_city, "independent city")
        if place is None:
            place, place_outcome = resolve_place(state_id, county.ocd_id, record["city"], lookups)
        report["county"][county.outcome] += 1
        report["place"][place_outcome] += 1
        rows.append(ZipRow(record["zip_code"], record["city"], state_id, county.ocd_id, place))
    return tuple(rows), report


def _counties_by_postal_city(
    resolved: Iterable[tuple[Mapping[str, Any], str, CountyMatch]],
) -> dict[tuple[str, str], set[str]]:
    by_city: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record, state_id, county in resolved:
        if county.ocd_id:
            by_city[(state_id, place_key(record["city"]))].add(county.ocd_id)
    return by_city


def _county_from_postal_city(
    state_id: str, postal_city: str, by_city: dict[tuple[str, str], set[str]], lookups: UsLookups
) -> CountyMatch:
    counties = by_city.get((state_id, place_key(postal_city)), set())
    if len(counties) == 1:
        return CountyMatch(next(iter(counties)), "county of the other ZIPs of its postal city")
    if county := lookups.county_by_name.get((state_id, place_key(postal_city))):
        return CountyMatch(county, "county-level division named like its postal city")
    if state_id not in lookups.states_with_counties:
        return CountyMatch(None, NO_COUNTY_LEVEL)
    return CountyMatch(None, "none: no county in the ZIP data")


def postal_place_counties(
    zip_rows: Iterable[ZipRow], lookups: UsLookups, *, known: set[str]
) -> tuple[PlaceCountyRow, ...]:
    """Counties of the places the census names none for (`known` are those it does): the
    county a township's id runs through, else the counties of the ZIP codes linked to the place.

    Approximate like the ZIP's place. An independent city lies in no county, even where a ZIP
    code of the next county carries its name ('Richmond' ZIP codes in Henrico County).
    """
    skipped = set(lookups.independent_cities.values()) | known
    pairs = {(p, c) for p, c in lookups.county_in_id.items() if p not in known}
    for row in zip_rows:
        if row.place_ocd_id and row.county_ocd_id and row.place_ocd_id not in skipped:
            pairs.add((row.place_ocd_id, row.county_ocd_id))
    return tuple(PlaceCountyRow(place, county) for place, county in sorted(pairs))


ZCTA_COUNTIES_FILE = "zcta_counties.csv"


def read_zip_counties(
    path: Path, zip_codes: set[str], lookups: UsLookups
) -> tuple[ZipCountyRow, ...]:
    """The counties of each ZIP code area (zcta_counties.csv) for the ZIP codes we load.

    The Census's primary county comes first, then by land share. A county-equivalent OCD has no
    county row for (DC, an independent city) gives no link: the ZIP's place stands for it.
    """
    rows: list[ZipCountyRow] = []
    for line, row in read_csv(path, ("zcta", "county_fips", "land_share", "is_primary")):
        code, fips = row["zcta"], row["county_fips"]
        if not _ZIP_CODE.match(code) or not re.match(r"^\d{5}$", fips):
            raise GazetteerDataError(
                path, line, f"“{code},{fips}” is not a ZIP code and a FIPS code"
            )
        try:
            share = Decimal(row["land_share"])
        except InvalidOperation:
            share = Decimal(-1)
        if not Decimal(0) <= share <= Decimal(1) or row["is_primary"] not in ("0", "1"):
            raise GazetteerDataError(path, line, "land_share must be 0 to 1, is_primary 0 or 1")
        county = lookups.county_by_fips.get(FIPS_VINTAGE.get(fips, fips))
        if code in zip_codes and county is not None:
            rows.append(ZipCountyRow(code, county, share, row["is_primary"] == "1"))
    by_zip: dict[str, list[ZipCountyRow]] = defaultdict(list)
    for zip_row in rows:
        by_zip[zip_row.code].append(zip_row)
    ordered = []
    for parts in by_zip.values():
        merged: dict[str, ZipCountyRow] = {}  # two 2020 codes of one OCD county (Valdez-Cordova)
        for part in sorted(parts, key=lambda p: (not p.is_primary, -p.land_share)):
            if part.county_ocd_id in merged:
                first = merged[part.county_ocd_id]
                part = replace(first, land_share=first.land_share + part.land_share)
            merged[part.county_ocd_id] = part
        ordered += [
            ZipCountyRow(p.code, p.county_ocd_id, p.land_share, p.is_primary, position)
            for position, p in enumerate(merged.values())
        ]
    return tuple(ordered)
