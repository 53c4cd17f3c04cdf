"""Census facts about US places (legality/data/gazetteer/, see its README).

`us_place_facts.csv` gives every OCD place row its kind, incorporation, all its counties (largest
2020 population first; parts with no residents named apart), a point and a population. The ZIP
codes' postal cities are used for a place's counties only where this file names none.
"""

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from legality.models import PlaceKind

from .rows import GazetteerDataError, JurisdictionRow, PlaceCountyRow, read_csv

PLACE_FACTS_FILE = "us_place_facts.csv"
_FACTS_COLUMNS = (
    "ocd_id",
    "census_id",
    "name",
    "kind",
    "incorporated",
    "county_fips",
    "lat",
    "lon",
    "population",
    "source",
)
# States where Census counts towns and townships as general-purpose governments (the README's
# `mcd_gov=general`): there a town or township may have ordinances of its own, and a county
# entry for unincorporated areas may or may not reach it.
GENERAL_PURPOSE_TOWNSHIP_STATES: Final = frozenset(
    ("CT", "ME", "MA", "MI", "MN", "NH", "NJ", "NY", "PA", "RI", "VT", "WI")
)
_KINDS: Final = frozenset(PlaceKind.values)
_FIPS = re.compile(r"^\d{5}$")
_CENSUS_CODE = re.compile(r"^(\d{7}|\d{10})$")
# "county=geocorr2022(successor:1836003)": the 2020 place code an OCD row was matched to.
_MATCHED_CODE = re.compile(r"^county=geocorr2022\((?:successor|manual|name):(\d{7})\)$")


@dataclass(frozen=True, slots=True)
class PlaceFacts:
    """What the census says of one place. `census_code` is the 2020 code it stands for."""

    census_code: str
    kind: str
    is_incorporated: bool
    county_fips: tuple[str, ...]  # counties with residents, largest population first
    uninhabited_county_fips: tuple[str, ...]  # parts of the place with no residents
    latitude: float | None
    longitude: float | None
    population: int | None
    is_direct_match: bool  # the OCD row carries the 2020 code itself


def read_place_facts(path: Path, place_ids: set[str]) -> dict[str, PlaceFacts]:
    """OCD id -> facts for every row of us_place_facts.csv; every id must be a known place."""
    facts: dict[str, PlaceFacts] = {}
    for line, row in read_csv(path, _FACTS_COLUMNS):
        ocd_id = row["ocd_id"]
        if ocd_id not in place_ids:
            raise GazetteerDataError(path, line, f"{ocd_id} is not a place of the OCD extract")
        if ocd_id in facts:
            raise GazetteerDataError(path, line, f"{ocd_id} is listed twice")
        if not row["kind"]:  # the 4 rows no source could place (see the README's Gaps)
            continue
        facts[ocd_id] = _place_facts(row, path, line)
    return facts


def _place_facts(row: dict[str, str], path: Path, line: int) -> PlaceFacts:
    if row["kind"] not in _KINDS:
        raise GazetteerDataError(path, line, f"unknown kind “{row['kind']}”")
    if row["incorporated"] not in ("true", "false"):
        raise GazetteerDataError(path, line, "incorporated must be true or false")
    if row["census_id"] and not _CENSUS_CODE.match(row["census_id"]):
        raise GazetteerDataError(path, line, f"census_id “{row['census_id']}” is not a code")
    source = dict(part.split("=", 1) for part in row["source"].split(";") if "=" in part)
    counties = tuple(parse_fips(row["county_fips"], path, line))
    uninhabited = tuple(parse_fips(source.get("zero_pop_county", ""), path, line))
    matched = _MATCHED_CODE.match(f"county={source.get('county', '')}")
    latitude, longitude = parse_point(row["lat"], row["lon"], path, line)
    return PlaceFacts(
        census_code=matched[1] if matched else row["census_id"],
        kind=row["kind"],
        is_incorporated=row["incorporated"] == "true",
        county_fips=tuple(fips for fips in counties if fips not in uninhabited),
        uninhabited_county_fips=tuple(fips for fips in counties if fips in uninhabited),
        latitude=latitude,
        longitude=longitude,
        population=parse_population(row["population"], path, line),
        is_direct_match=source.get("county") in ("geocorr2022", "census_id"),
    )


def parse_fips(value: str, path: Path, line: int) -> list[str]:
    codes = value.split()
    if bad := [code for code in codes if not _FIPS.match(code)]:
        raise GazetteerDataError(path, line, f"“{bad[0]}” is not a 5-digit county FIPS code")
    return codes


def parse_point(lat: str, lon: str, path: Path, line: int) -> tuple[float | None, float | None]:
    if not lat and not lon:
        return None, None
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        raise GazetteerDataError(path, line, f"“{lat},{lon}” is not a point") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise GazetteerDataError(path, line, f"“{lat},{lon}” is not on Earth")
    return latitude, longitude


def parse_population(value: str, path: Path, line: int) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise GazetteerDataError(path, line, f"population “{value}” is not a whole number")
    return int(value)


def is_incorporated(kind: str, incorporated: bool, postal_code: str) -> bool | None:
    """What resolution needs: inside a municipality (True), outside (False), or unknown (None).

    A town or township is unknown: in some states it is a government of its own, elsewhere it
    may hold cities. So is a community in a state where towns and townships govern (it lies in
    one). A former place is now unincorporated land.
    """
    if incorporated or kind == PlaceKind.INCORPORATED:
        return True
    if kind == PlaceKind.COUNTY_SUBDIVISION:
        return None
    if kind == PlaceKind.CENSUS_DESIGNATED and postal_code in GENERAL_PURPOSE_TOWNSHIP_STATES:
        return None
    return False


def with_place_facts(
    places: tuple[JurisdictionRow, ...], facts: dict[str, PlaceFacts]
) -> tuple[JurisdictionRow, ...]:
    """The OCD place rows with their census kind, incorporation, code, point and population."""
    rows = []
    for place in places:
        fact = facts.get(place.ocd_id)
        if fact is None:
            rows.append(place)
            continue
        postal_code = place.parent_ocd_id.rsplit(":", 1)[1].upper() if place.parent_ocd_id else ""
        rows.append(
            replace(
                place,
                census_geoid=fact.census_code or place.census_geoid,
                place_kind=fact.kind,
                is_incorporated=is_incorporated(fact.kind, fact.is_incorporated, postal_code),
                population=fact.population,
                latitude=fact.latitude,
                longitude=fact.longitude,
            )
        )
    return tuple(rows)


def census_place_counties(
    facts: dict[str, PlaceFacts], county_by_fips: dict[str, str]
) -> tuple[PlaceCountyRow, ...]:
    """Every place's counties from the census, populated parts first, then uninhabited ones.

    Independent cities and DC keep their own county-equivalent code, which no OCD county has:
    they lie in no county, so that code gives no link.
    """
    links = []
    for ocd_id, fact in facts.items():
        codes = [(fips, True) for fips in fact.county_fips]
        codes += [(fips, False) for fips in fact.uninhabited_county_fips]
        for position, (fips, has_residents) in enumerate(codes):
            if county := county_by_fips.get(fips):
                links.append(PlaceCountyRow(ocd_id, county, position, has_residents))
    return tuple(links)
