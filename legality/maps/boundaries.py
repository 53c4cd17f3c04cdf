"""The shapes and points the maps draw, read once per process from legality/maps/data/, and the
codes that tie them to jurisdictions.

US shapes are keyed by FIPS code (us-atlas, 2017 boundaries), countries by ISO 3166 numeric code
(world-atlas), places' points by OCD id (or census code for census-designated places). A shape's
jurisdiction is found through the codes the project stores: `census_geoid` for US states and
counties, ISO 3166-1 alpha-2 (`iso_code`, through pycountry) for countries.
"""

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pycountry

from legality.gazetteer.zips import FIPS_VINTAGE, find_independent_cities
from legality.models import Jurisdiction

from .topojson import Feature, features

DATA_DIR = Path(__file__).resolve().parent / "data"
US_WIDTH, US_HEIGHT = 975, 610  # the viewport us-atlas projected its Albers files to
DC_COUNTY_FIPS = "11001"  # DC is its own county-equivalent; OCD has no county level below it


@dataclass(frozen=True)
class WorldShapes:
    width: int
    height: int
    countries: dict[str, Feature]  # by ISO 3166 numeric code, '764' for Thailand


@functools.cache
def _us_topology() -> dict:
    with open(DATA_DIR / "counties-albers-10m.json", encoding="utf-8") as file:
        return json.load(file)


@functools.cache
def us_states() -> dict[str, Feature]:
    """The 50 states and DC, by 2-digit FIPS code (no territories: the Albers file has none)."""
    return features(_us_topology(), "states")


@functools.cache
def us_counties() -> dict[str, Feature]:
    """Counties and county-equivalents, by 5-digit FIPS code of the 2017 boundaries."""
    return features(_us_topology(), "counties")


@functools.cache
def world() -> WorldShapes:
    with open(DATA_DIR / "world-paths.json", encoding="utf-8") as file:
        data = json.load(file)
    countries = {c["id"]: Feature(c["id"], c["name"], c["d"]) for c in data["countries"]}
    return WorldShapes(data["width"], data["height"], countries)


@functools.cache
def _place_points() -> dict:
    with open(DATA_DIR / "us-place-points.json", encoding="utf-8") as file:
        return json.load(file)


def place_point(ocd_id: str, census_geoid: str = "") -> tuple[float, float] | None:
    """A place's point on the US Albers maps, or None (no point, or outside the projection).

    OCD places are found by OCD id; census-designated places, which have no OCD id of their
    own, by their 7-digit census code.
    """
    points = _place_points()
    point = points["by_ocd_id"].get(ocd_id) or points["by_census_id"].get(census_geoid)
    return tuple(point) if point else None


def county_shape_id(census_geoid: str) -> str | None:
    """The FIPS id of a county's shape: its own code, or the newer code of a renamed county
    (OCD's 46113 Shannon is the shape 46102 Oglala Lakota). None when no shape has it."""
    if census_geoid in us_counties():
        return census_geoid
    newer = (new for new, old in FIPS_VINTAGE.items() if old == census_geoid)
    return next((code for code in newer if code in us_counties()), None)


def county_shape_targets(state: Jurisdiction) -> dict[str, int]:
    """Every county shape of a US state (FIPS id) -> the jurisdiction (id) it stands for.

    A county's shape is the county; an independent city's (Richmond city 51760, Baltimore city
    24510, St. Louis city 29510, Carson City 32510) is the city, found as the gazetteer loader
    finds it; DC's is DC. Shapes nothing stands for are left out. Two queries.
    """
    state_fips = state.census_geoid
    shapes = [fips for fips in us_counties() if fips[:2] == state_fips]
    if state_fips == DC_COUNTY_FIPS[:2]:
        return {DC_COUNTY_FIPS: state.pk} if DC_COUNTY_FIPS in shapes else {}
    # Query: the state's counties.
    counties = dict(
        Jurisdiction.objects.filter(parent=state, level=Jurisdiction.Level.COUNTY)
        .exclude(census_geoid="")
        .values_list("census_geoid", "pk")
    )
    targets = {fips: counties[code] for fips in shapes if (code := _ocd_fips(fips)) in counties}
    if missing := [fips for fips in shapes if fips not in targets]:
        targets |= _independent_cities(state, missing, set(counties))
    return targets


def _ocd_fips(fips: str) -> str:
    return FIPS_VINTAGE.get(fips, fips)


def _independent_cities(state: Jurisdiction, fips_codes: Iterable[str], known: set[str]):
    postal_code = state.us_postal_code
    # Query: the state's places whose Census name could be a county-equivalent's.
    places: dict[tuple[str, str], list[str]] = {}
    ids: dict[str, int] = {}
    for ocd_id, official_name, pk in Jurisdiction.objects.filter(
        parent=state, level=Jurisdiction.Level.PLACE, official_name__iregex=r" city$"
    ).values_list("ocd_id", "official_name", "pk"):
        places.setdefault((state.ocd_id, official_name), []).append(ocd_id)
        ids[ocd_id] = pk
    cities = find_independent_cities({postal_code: state.ocd_id}, known, places)
    return {fips: ids[cities[fips]] for fips in fips_codes if fips in cities}


def country_shape_id(iso_code: str) -> str | None:
    """The ISO 3166 numeric id of a country's shape ('764' for TH), or None."""
    country = pycountry.countries.get(alpha_2=iso_code) if len(iso_code) == 2 else None
    if country is None or country.numeric not in world().countries:
        return None
    return country.numeric
