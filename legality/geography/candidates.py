"""Places a query may mean, in words a reader can tell apart: "Springfield — city in Sangamon
County, Illinois, 114,394 people", "London — city in England, United Kingdom, 8,961,989 people".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from legality.models import Jurisdiction, JurisdictionName, PlaceCounty, PlaceKind

from .naming import normalize_name


@dataclass(frozen=True)
class WorldCity:
    """A city abroad (GeoNames, 15,000+ people) that a query named: not a jurisdiction of its
    own, it leads to the first-level division or country it lies in."""

    name: str
    population: int


def city_abroad_in(jurisdiction: Jurisdiction, name: str) -> WorldCity | None:
    """The city abroad called `name` that lies in `jurisdiction`, if there is one (one query):
    a page says which city a search meant without trusting its address."""
    found = (
        JurisdictionName.objects.filter(
            jurisdiction=jurisdiction, search_name=normalize_name(name), population__isnull=False
        )
        .values_list("name", "population")
        .first()
    )
    return WorldCity(*found) if found else None


@dataclass(frozen=True)
class Candidate:
    """A place a query may mean, with the words that tell it from the others.

    `description`: "Springfield — city in Sangamon County, Illinois, 114,394 people".
    """

    jurisdiction: Jurisdiction
    description: str
    kind: str  # "city", "township", "unincorporated community", "county", "state", ...
    county: str = ""  # the county holding most of its people, for a US place
    state: str = ""  # its state or first-level division, for places and counties
    population: int | None = None
    city: str = ""  # a city abroad: its name (the jurisdiction is the division it lies in)


LEVEL_ORDER = {level: rank for rank, level in enumerate(Jurisdiction.Level.values)}


def ancestors(row: Jurisdiction) -> Iterable[Jurisdiction]:
    # Loaded by select_related("parent__parent__parent"): a township, its county, state, country.
    parent = row.parent
    while parent is not None:
        yield parent
        parent = parent.parent


_KIND_WORDS = {
    PlaceKind.CENSUS_DESIGNATED: "unincorporated community",
    PlaceKind.FORMER: "former municipality",
}
_OFFICIAL_KINDS = ("city", "town", "village", "borough", "township", "municipality", "plantation")


def describe_candidates(
    found: Iterable[Jurisdiction], *, cities: Mapping[int, WorldCity] | None = None
) -> list[Candidate]:
    """Each jurisdiction in words, largest population first (one query: places' counties).

    "Springfield — city in Sangamon County, Illinois, 114,394 people"; "Sangamon County —
    county in Illinois"; "Georgia — country". `cities` (jurisdiction pk -> city abroad) are
    the divisions a city's name found, described and ranked as the city: "London — city in
    England, United Kingdom, 8,961,989 people".
    """
    cities = cities or {}

    def rank(j: Jurisdiction) -> tuple[int, int, str, str]:
        if city := cities.get(j.pk):
            return (LEVEL_ORDER[Jurisdiction.Level.PLACE], -city.population, city.name, j.ocd_id)
        return (LEVEL_ORDER[j.level], -(j.population or 0), j.name, j.ocd_id)

    ordered = sorted(found, key=rank)
    places = [j.pk for j in ordered if j.level == Jurisdiction.Level.PLACE]
    # Query: the county holding most of each place's people.
    counties = dict(
        PlaceCounty.objects.filter(place_id__in=places, position=0).values_list(
            "place_id", "county__name"
        )
        if places
        else []
    )
    return [
        _city_candidate(j, cities[j.pk])
        if j.pk in cities
        else _candidate(j, counties.get(j.pk, ""))
        for j in ordered
    ]


def _city_candidate(j: Jurisdiction, city: WorldCity) -> Candidate:
    where = ", ".join(a.name for a in (j, *ancestors(j)))
    state = j.name if j.level == Jurisdiction.Level.STATE else ""
    description = f"{city.name} — city in {where}, {city.population:,} people"
    return Candidate(j, description, "city", "", state, city.population, city.name)


def _candidate(j: Jurisdiction, county: str) -> Candidate:
    state = j.parent.name if j.parent is not None and j.level != "state" else ""
    if j.level == Jurisdiction.Level.COUNTRY:
        kind, where = "country", ""
    elif j.level == Jurisdiction.Level.STATE:
        country = j.parent.name if j.parent is not None else ""
        kind = "state" if j.country_code == "US" else j.division_type.replace("_", " ")
        where, state = f"of {country}", ""
    elif j.level == Jurisdiction.Level.COUNTY:
        kind, where = "county", f"in {state}"
    else:
        kind = _place_kind_words(j)
        where = "in " + ", ".join(part for part in (county, state) if part)
    people = f"{j.population:,} people" if j.population is not None else ""
    words = ", ".join(part for part in (f"{kind} {where}".strip(), people) if part)
    return Candidate(j, f"{j.name} — {words}", kind, county, state, j.population)


def _place_kind_words(j: Jurisdiction) -> str:
    if kind := _KIND_WORDS.get(j.place_kind):
        return kind
    last = j.official_name.rsplit(" ", 1)[-1].lower() if j.official_name else ""
    if last in _OFFICIAL_KINDS:
        return last
    return "township" if j.place_kind == PlaceKind.COUNTY_SUBDIVISION else "place"
