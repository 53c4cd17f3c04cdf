"""Census places with no OCD row (us_cdp_facts.csv): unincorporated communities, and the few
municipalities incorporated after the OCD codes were made.

Their public id follows the project's convention for ids OCD lacks (`is_official_ocd_id=False`,
the same shape as an OCD id): `ocd-division/country:us/state:la/census_place:2250115`, keyed by
the 2020 Census place code. OCD names no division type `census_place` and its place ids are
name slugs, never 7-digit codes, so no OCD id can collide with one; the code never changes
with a rename, so the id is stable.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from legality.models import PlaceKind

from .census import is_incorporated, parse_fips, parse_point, parse_population
from .ocd import place_name
from .rows import GazetteerDataError, JurisdictionRow, Level, PlaceCountyRow, read_csv

CDP_FACTS_FILE = "us_cdp_facts.csv"
CENSUS_PLACE_TYPE: Final = "census_place"
_COLUMNS = (
    "census_id",
    "name",
    "state",
    "kind",
    "county_fips",
    "lat",
    "lon",
    "population",
    "source",
)
_COMMUNITY_SUFFIXES: Final = (" CDP", " comunidad", " zona urbana")
# Places the project already holds under another id: merged into it, never added twice.
# Gluckstadt MS was a CDP in the 2020 Census and incorporated in 2021; the statuses' seed file
# names it ocd-division/country:us/state:ms/place:gluckstadt, and it has its own law.
MERGED: Final = {"2827900": ("ocd-division/country:us/state:ms/place:gluckstadt", True)}


def census_place_id(state_ocd_id: str, census_code: str) -> str:
    """ocd-division/country:us/state:la/census_place:2250115 for Metairie CDP."""
    return f"{state_ocd_id}/{CENSUS_PLACE_TYPE}:{census_code}"


@dataclass(frozen=True)
class CensusPlaces:
    places: tuple[JurisdictionRow, ...]
    counties: tuple[PlaceCountyRow, ...]


def read_census_places(
    path: Path, state_by_postal_code: dict[str, str], county_by_fips: dict[str, str]
) -> CensusPlaces:
    """The rows of us_cdp_facts.csv as places, with their counties; bad rows name file and line."""
    places: list[JurisdictionRow] = []
    links: list[PlaceCountyRow] = []
    seen: set[str] = set()
    for line, row in read_csv(path, _COLUMNS):
        code, postal_code = row["census_id"], row["state"]
        state = state_by_postal_code.get(postal_code)
        if state is None:
            raise GazetteerDataError(path, line, f"unknown state “{postal_code}”")
        if len(code) != 7 or not code.isdigit():
            raise GazetteerDataError(path, line, f"census_id “{code}” is not a 7-digit place code")
        if code in seen:
            raise GazetteerDataError(path, line, f"census_id {code} is listed twice")
        seen.add(code)
        if row["kind"] not in (PlaceKind.CENSUS_DESIGNATED, PlaceKind.INCORPORATED):
            raise GazetteerDataError(path, line, f"unknown kind “{row['kind']}”")
        place = _place(row, state, path, line)
        places.append(place)
        source = dict(part.split("=", 1) for part in row["source"].split(";") if "=" in part)
        codes = [(fips, True) for fips in parse_fips(row["county_fips"], path, line)]
        codes += [
            (fips, False) for fips in parse_fips(source.get("zero_pop_county", ""), path, line)
        ]
        for position, (fips, has_residents) in enumerate(codes):
            if county := county_by_fips.get(fips):
                links.append(PlaceCountyRow(place.ocd_id, county, position, has_residents))
    return CensusPlaces(tuple(places), tuple(links))


def _place(row: dict[str, str], state: str, path: Path, line: int) -> JurisdictionRow:
    code, name, kind = row["census_id"], row["name"], row["kind"]
    merged_id, incorporated = MERGED.get(code, (None, False))
    for suffix in _COMMUNITY_SUFFIXES:
        if name.endswith(suffix):
            short = name.removesuffix(suffix)
            break
    else:
        short = place_name(name, ocd_id=f"{state}/place:x", postal_code="")
    if incorporated:
        kind = PlaceKind.INCORPORATED
    latitude, longitude = parse_point(row["lat"], row["lon"], path, line)
    return JurisdictionRow(
        ocd_id=merged_id or census_place_id(state, code),
        name=short,
        official_name=name,
        level=Level.PLACE,
        division_type="place" if merged_id else CENSUS_PLACE_TYPE,
        country_code="US",
        parent_ocd_id=state,
        census_geoid=code,
        is_incorporated=is_incorporated(kind, incorporated, row["state"]),
        is_official_ocd_id=False,
        place_kind=kind,
        population=parse_population(row["population"], path, line),
        latitude=latitude,
        longitude=longitude,
    )
