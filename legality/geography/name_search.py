"""The name search of find_place: the jurisdictions a typed name may mean, read in one query,
and the rules that pick one of them or raise AmbiguousPlace with the candidates.

A municipality beats a same-name township, unincorporated community or county unless the
reader names the kind; a city abroad (GeoNames, 15,000+ people) is a name of the division or
country it lies in, ranked among places of its name by its people; a city's other name that one
of our places has finds it only with its country or division named.
"""

import math
import re
from collections import namedtuple
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject, Length

from legality.compiled_queries import compiled
from legality.models import Jurisdiction, JurisdictionName, PlaceKind

from .candidates import LEVEL_ORDER, WorldCity, ancestors, describe_candidates
from .matches import AmbiguousPlace, MatchedBy, PlaceMatch, UnknownPlace
from .naming import COUNTY_WORDS, Kind, NameForms, readings
from .suggestions import suggest_names

_TWO_LETTERS = re.compile(r"^[a-z]{2}$")
_ISO_SUBDIVISION = re.compile(r"^([a-z]{2})[ -]([a-z0-9]{1,3})$")  # "us-al" reads "us al"
# A jurisdiction's columns, as the name search and find_place read them.
JURISDICTION_FIELDS = [field.attname for field in Jurisdiction._meta.concrete_fields]


def _codes(part: str) -> set[str]:
    """ISO codes a normalised part may be: 'ca' -> CA, US-CA; 'us al' -> US-AL."""
    if _TWO_LETTERS.match(part):
        return {part.upper(), f"US-{part.upper()}"}
    if match := _ISO_SUBDIVISION.match(part):
        return {f"{match[1]}-{match[2]}".upper()}
    return set()


@dataclass
class _Row:
    """A jurisdiction the query's names found, and which of them found it."""

    jurisdiction: "_Found"
    names: set[str] = field(default_factory=set)  # its own search name and alternate names
    city: WorldCity | None = None  # the largest city abroad of the query's name lying in it
    city_key: str = ""  # that city's search name
    # That name finds the city only with its country or division named (JurisdictionName).
    city_needs_qualifier: bool = False

    def named(self, keys: Iterable[str]) -> bool:
        return not self.names.isdisjoint(keys)


def _named_like(keys: set[str], codes: set[str], city_keys: set[str]) -> list[_Row]:
    """One query: every jurisdiction a key names (its own or an alternate name) or a code
    codes, with its parent chain, the alternate name that matched and the largest city abroad
    lying in it that one of `city_keys` names."""
    rows: list[_Row] = []
    width = len(JURISDICTION_FIELDS)
    found = _named_rows.rows(keys=sorted(keys), codes=sorted(codes), city_keys=sorted(city_keys))
    for row in found:
        parent = None
        # The chain as select_related("parent__parent__parent") reads it: the outermost first.
        for start in range((len(_CHAIN) - 1) * width, -1, -width):
            if row[start] is not None:
                parent = _Found(*row[start : start + width], parent)
        alternate, city = row[-2:]
        rows.append(
            _Row(
                parent,
                {parent.search_name} | ({alternate} - {None}),
                WorldCity(city["name"], city["population"]) if city is not None else None,
                city["key"] if city is not None else "",
                # SQLite's JSON writes a boolean as 0 or 1.
                bool(city["needs_qualifier"]) if city is not None else False,
            )
        )
    return rows


class _Found(namedtuple("_Found", [*JURISDICTION_FIELDS, "parent"])):
    """A jurisdiction the name search read, as plain values (the model's columns by attname,
    then its parent chain): the search weighs a dozen rows or more and returns one or a few,
    and only those become Jurisdiction instances (`_instance`)."""

    __slots__ = ()

    @property
    def pk(self) -> int:
        return self.id


def _instance(found: _Found) -> Jurisdiction:
    """The Jurisdiction, with its parent chain loaded as select_related loads it."""
    jurisdiction = Jurisdiction.from_db("default", JURISDICTION_FIELDS, found[:-1])
    parent = found.parent
    jurisdiction._state.fields_cache["parent"] = _instance(parent) if parent is not None else None
    return jurisdiction


_CHAIN = ("", "parent__", "parent__parent__", "parent__parent__parent__")


@compiled
def _named_rows(keys, codes, city_keys):
    named = JurisdictionName.objects.filter(search_name__in=keys)
    # The longest name first: the most literal reading is tried first ("Sadr City", not the
    # city "Sadr" read in a place called "City"); of one name, the largest city.
    # A name that finds a city only with its country named comes after every other.
    cities = JurisdictionName.objects.filter(
        search_name__in=city_keys, population__isnull=False, jurisdiction=OuterRef("pk")
    ).order_by("needs_qualifier", Length("search_name").desc(), "-population")
    # Each condition is an indexed lookup on its own, so the database reads a few rows, never
    # the whole table; the alternate names are looked up for those rows only.
    return (
        Jurisdiction.objects.filter(
            Q(search_name__in=keys)
            | Q(iso_code__in=codes)
            | Q(pk__in=named.values("jurisdiction_id"))
        )
        .annotate(
            alternate=Subquery(
                named.filter(jurisdiction=OuterRef("pk"), population__isnull=True).values(
                    "search_name"
                )[:1]
            ),
            # One subquery for the three values (three ran the same search three times).
            city=Subquery(
                cities.values(
                    city=JSONObject(
                        key="search_name",
                        name="name",
                        population="population",
                        needs_qualifier="needs_qualifier",
                    )
                )[:1]
            ),
        )
        .order_by()
        .values_list(
            *(f"{up}{field}" for up in _CHAIN for field in JURISDICTION_FIELDS),
            "alternate",
            "city",
        )
    )


def find_name(query: str, text: str) -> PlaceMatch:
    """find_place for a name (see its docstring): one query, two when it is ambiguous."""
    every = readings(text)
    if not every:
        raise UnknownPlace(query, "That is too long to be a place name.")
    keys = {key for reading in every for key in (*reading.name.keys, *reading.qualifiers)}
    codes = {code for reading in every for part in reading.qualifiers for code in _codes(part)}
    codes |= _codes(every[0].name.exact[0])
    rows = _named_like(keys, codes, {key for reading in every for key in reading.name.exact})
    unknown_qualifier = ""
    closest: tuple[str, set[int] | None] = (every[0].name.exact[0], None)
    for reading in every:
        enclosing = [_states_or_countries(rows, part) for part in reading.qualifiers]
        if missing := [p for p, ids in zip(reading.qualifiers, enclosing, strict=True) if not ids]:
            unknown_qualifier = unknown_qualifier or missing[0]
            continue
        if enclosing and closest[1] is None:
            closest = (reading.name.exact[0], set.intersection(*enclosing))
        inside = [row for row in rows if _within(row, enclosing)]
        if not reading.qualifiers:
            # 'Cologne' alone is Cologne, Minnesota: Köln's other name counts only with
            # Germany or its state named.
            inside = [row for row in inside if not _needs_qualifier(row, reading.name)]
        if not reading.qualifiers and (match := _read_code(query, reading.name, inside)):
            return match
        if match := _pick(query, reading.name, inside):
            return match
    if unknown_qualifier and "," in text and closest[1] is None:
        raise UnknownPlace(query, f"We know no state or country called “{unknown_qualifier}”.")
    raise UnknownPlace(query, suggestions=suggest_names(closest[0], within=closest[1]))


def _states_or_countries(rows: list[_Row], part: str) -> set[int]:
    """The states or countries a qualifier names; a two-letter code is a US state first
    ("Ontario, CA" is in California, not Canada), as a bare code is."""
    codes = _codes(part)
    found = [
        row.jurisdiction
        for row in rows
        if row.jurisdiction.level in (Jurisdiction.Level.COUNTRY, Jurisdiction.Level.STATE)
        and (part in row.names or row.jurisdiction.iso_code in codes)
    ]
    postal = [j for j in found if j.iso_code.startswith("US-") and j.iso_code in codes]
    return {j.pk for j in (postal or found)}


def _within(row: _Row, enclosing: list[set[int]]) -> bool:
    enclosing_ids = {a.pk for a in ancestors(row.jurisdiction)}
    # "London, England": the city lies in the division it leads to; "Singapore, Singapore": a
    # city-state's city is the country.
    if row.city is not None or row.jurisdiction.level == Jurisdiction.Level.COUNTRY:
        enclosing_ids.add(row.jurisdiction.pk)
    return all(enclosing_ids & ids for ids in enclosing)


def _is_country_or_us_state(row: _Found) -> bool:
    return row.level == Jurisdiction.Level.COUNTRY or (
        row.level == Jurisdiction.Level.STATE and row.country_code == "US"
    )


def _read_code(query: str, name: NameForms, rows: list[_Row]) -> PlaceMatch | None:
    """A bare two-letter code: a US postal code first, then an ISO country code."""
    codes = _codes(name.exact[0])
    if not _TWO_LETTERS.match(name.exact[0]):
        return None
    coded = [row.jurisdiction for row in rows if row.jurisdiction.iso_code in codes]
    postal = [j for j in coded if j.level == Jurisdiction.Level.STATE]
    country = [j for j in coded if j.level == Jurisdiction.Level.COUNTRY]
    for found, by in ((postal, MatchedBy.US_POSTAL_CODE), (country, MatchedBy.ISO_CODE)):
        if len(found) == 1:
            named = [row.jurisdiction for row in rows if row.named(name.exact)]
            others = _ordered(j for j in [*coded, *named] if j.pk != found[0].pk)
            return PlaceMatch(_instance(found[0]), by, alternatives=others)
    return None


# The tiers of a name's readings, best first: the first tier with a place decides.
_PRINCIPAL, _MUNICIPAL, _SAID, _TOWNSHIP, _COMMUNITY, _SECOND_READING, _COUNTY = range(7)


def _tier(row: _Row, name: NameForms) -> int | None:
    """Which tier a found jurisdiction belongs to for this name; None: the name is not its."""
    j = row.jurisdiction
    if row.named(name.exact) or (j.iso_code and j.iso_code in _codes(name.exact[0])):
        if _is_country_or_us_state(j):
            return _PRINCIPAL
        if j.level == Jurisdiction.Level.COUNTY:
            # Its city name (San Francisco), or the reader named the county; else a town wins.
            said_county = any(name.exact[0].endswith(f" {word}") for word in COUNTY_WORDS)
            alternate = row.names - {j.search_name}
            return _MUNICIPAL if said_county or alternate else _COUNTY
        return _place_tier(j)
    if _is_city_abroad(row, name):
        if row.city_needs_qualifier:
            # Below whatever has the name itself: 'Henan, China' is the province, though
            # GeoNames gives Hengyang that name too.
            return _SECOND_READING
        return _MUNICIPAL  # ranked with the places of that name by its people, in _pick
    for said, kind in name.said:
        if row.named([said]) and _is_kind(j, kind):
            # After exact names: "Rockwell City" is Rockwell City, not the city of Rockwell.
            return _SAID
    if j.level == Jurisdiction.Level.PLACE and j.is_incorporated and row.named(name.longer):
        return _SECOND_READING  # "Boise" for Boise City, "Methuen" for Methuen Town
    if j.level == Jurisdiction.Level.COUNTY and row.named(name.county):
        return _COUNTY  # "Honolulu" for Honolulu County
    return None


def _place_tier(j: _Found) -> int:
    if j.level == Jurisdiction.Level.STATE:
        return _MUNICIPAL  # a first-level division abroad: Bavaria
    if j.place_kind == PlaceKind.CENSUS_DESIGNATED:
        return _COMMUNITY
    if j.place_kind == PlaceKind.FORMER:
        return _SECOND_READING
    if j.is_incorporated:
        return _MUNICIPAL
    return _TOWNSHIP


def _is_kind(j: _Found, kind: str) -> bool:
    if kind == Kind.COUNTY:
        return j.level == Jurisdiction.Level.COUNTY
    if j.level != Jurisdiction.Level.PLACE:
        return False
    if kind == Kind.TOWNSHIP:
        return j.place_kind == PlaceKind.COUNTY_SUBDIVISION or j.is_incorporated is None
    if kind == Kind.COMMUNITY:
        return j.place_kind == PlaceKind.CENSUS_DESIGNATED
    return bool(j.is_incorporated)


def _needs_qualifier(row: _Row, name: NameForms) -> bool:
    """The row was found only through a city abroad's name that needs its country named."""
    return row.city_needs_qualifier and _is_city_abroad(row, name)


def _is_city_abroad(row: _Row, name: NameForms) -> bool:
    """The row was found only as the division a city abroad of this name lies in."""
    return row.city is not None and row.city_key in name.exact and not row.named(name.exact)


def _pick(query: str, name: NameForms, rows: list[_Row]) -> PlaceMatch | None:
    """The place of the best tier if it is alone there; the other tiers are alternatives.

    A city abroad counts among the municipalities of its name only where it has more people
    than each of them ("London" is London, England first; "Boston" stays Boston, MA, with
    Boston, England among the alternatives).
    """
    tiers: dict[int, list[_Row]] = {}
    for row in rows:
        if (tier := _tier(row, name)) is not None:
            tiers.setdefault(tier, []).append(row)
    if not tiers:
        return None
    best = min(tiers)
    cities = {row.jurisdiction.pk: row.city for row in rows if _is_city_abroad(row, name)}
    if smaller := _smaller_cities_abroad(tiers[best], cities):
        tiers[best] = [row for row in tiers[best] if row not in smaller]
        tiers[_SECOND_READING] = [*tiers.get(_SECOND_READING, []), *smaller]
    winners = _one_per_census_place([row.jurisdiction for row in tiers[best]])
    if len(winners) > 1:
        raise AmbiguousPlace(
            query, describe_candidates([_instance(w) for w in winners], cities=cities)
        )
    others = _ordered(
        row.jurisdiction for tier, found in sorted(tiers.items()) if tier != best for row in found
    )
    return PlaceMatch(
        _instance(winners[0]),
        _matched_by(query, winners[0]),
        alternatives=others,
        city=cities.get(winners[0].pk),
        alternative_cities={j.pk: cities[j.pk] for j in others if j.pk in cities},
    )


def _smaller_cities_abroad(rows: list[_Row], cities: Mapping[int, WorldCity]) -> list[_Row]:
    """The rows found as cities abroad with no more people than another place of the tier."""
    places = [_people(row.jurisdiction) for row in rows if row.jurisdiction.pk not in cities]
    largest = max(places, default=0)
    return [
        row
        for row in rows
        if row.jurisdiction.pk in cities and cities[row.jurisdiction.pk].population <= largest
    ]


def _people(j: _Found) -> float:
    """A place's people, to rank it against a city abroad: a US place or county whose count we
    lack ranks above every city abroad (San Francisco is a county here), one abroad below."""
    if j.population is not None:
        return j.population
    return math.inf if j.country_code == "US" else 0


def _one_per_census_place(found: list[_Found]) -> list[_Found]:
    """Two OCD rows for one census place (Indianapolis, with and without its county in the
    id) are one place to a reader: keep the one whose id does not run through a county."""
    kept: dict[str, _Found] = {}
    others = []
    for j in sorted(found, key=lambda j: ("/county:" in j.ocd_id, len(j.ocd_id), j.ocd_id)):
        if j.level == Jurisdiction.Level.PLACE and len(j.census_geoid) == 7:
            kept.setdefault(j.census_geoid, j)
        else:
            others.append(j)
    return [*kept.values(), *others]


def _matched_by(query: str, row: _Found) -> str:
    return (
        MatchedBy.ISO_CODE
        if row.iso_code and row.iso_code == query.strip().upper()
        else MatchedBy.NAME
    )


def _ordered(rows: Iterable[_Found]) -> tuple[Jurisdiction, ...]:
    """Broadest level first, then largest population, then by name."""
    unique = {row.pk: row for row in rows}.values()
    ordered = sorted(unique, key=lambda r: (LEVEL_ORDER[r.level], -(r.population or 0), r.name))
    return tuple(_instance(row) for row in ordered)
