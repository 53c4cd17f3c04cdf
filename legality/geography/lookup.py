"""find_place: the place a reader's query names, in a small constant number of queries.

It reads a ZIP code, an OCD division id (canonical or alias), an ISO 3166 code or a name with
optional state or country, typed as people type it ("Tupelo MS", "Springfield Illinois", "St.
Louis, MO", "Sarasota County, Florida"). Rules a reader expects, and nothing more: a bare name
or code of exactly one country or US state means it; a municipality beats a same-name township,
unincorporated community or county unless the reader names the kind; several real places of
one name raise AmbiguousPlace with the candidates, largest first, described in words.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery

from legality.compiled_queries import compiled
from legality.errors import TrackerError
from legality.models import (
    Jurisdiction,
    JurisdictionName,
    OcdAlias,
    PlaceCounty,
    PlaceKind,
    ZipCode,
)

from .naming import COUNTY_WORDS, Kind, NameForms, normalize_name, readings
from .suggestions import suggest_names


# Domain errors (TrackerError) kept beside the lookup that raises them: AmbiguousPlace words its
# message from its candidates' descriptions (Candidate, below), which errors.py cannot import.
class UnknownPlace(TrackerError):
    """Nothing matches the query (views answer 404). `suggestions`: close names, best first."""

    def __init__(self, query: str, reason: str = "", suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        detail = f" {reason}" if reason else ""
        if self.suggestions:
            detail += f" Did you mean {' or '.join(f'“{s}”' for s in self.suggestions)}?"
        super().__init__(f"No place matches “{query.strip()}”.{detail}")


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


class AmbiguousPlace(TrackerError):
    """Several places match and none is the obvious reading (views answer 300 with them).

    `candidates` are the jurisdictions, largest population first; `described` the same with
    their descriptions.
    """

    def __init__(self, query: str, described: Sequence[Candidate]) -> None:
        self.query = query
        self.described = tuple(described)
        self.candidates = tuple(c.jurisdiction for c in self.described)
        names = "; ".join(c.description for c in self.described[:5])
        more = f"; and {len(self.described) - 5} more" if len(self.described) > 5 else ""
        super().__init__(f"“{query.strip()}” matches several places: {names}{more}.")


class MatchedBy:
    """How a query was read; the match says it so a page can offer the other readings."""

    ZIP_CODE = "zip_code"
    OCD_ID = "ocd_id"
    OCD_ALIAS = "ocd_alias"
    US_POSTAL_CODE = "us_postal_code"  # "CA" read as California
    ISO_CODE = "iso_code"  # "TH", "US-AL"
    NAME = "name"


@dataclass(frozen=True)
class PlaceMatch:
    """The place a query names.

    `jurisdiction` is the place to resolve. For a ZIP code it is the ZIP's place when its postal
    city names one (then `approximate`: a postal city is not always the municipality), else its
    county, else its state; `zip_code` keeps the certain state and county. `alternatives` are the
    other readings of a bare country/state name or two-letter code ("also: Florida, New York").
    """

    jurisdiction: Jurisdiction
    matched_by: str
    zip_code: ZipCode | None = None
    alternatives: tuple[Jurisdiction, ...] = field(default=())

    @property
    def approximate(self) -> bool:
        return self.zip_code is not None and self.zip_code.place_id == self.jurisdiction.pk


ZIP_CODE_PATTERN = re.compile(r"^(\d{5})(?:-\d{4})?$")  # ZIP+4 reads as its ZIP code
_TWO_LETTERS = re.compile(r"^[a-z]{2}$")
_ISO_SUBDIVISION = re.compile(r"^([a-z]{2})[ -]([a-z0-9]{1,3})$")  # "us-al" reads "us al"
OCD_PREFIX = "ocd-division/"


def find_place(query: str) -> PlaceMatch:
    """The place a reader's query names, in one database query (two when it is ambiguous).

    Accepts a 5-digit ZIP code (ZIP+4 too), an OCD division id or one of its aliases, an ISO
    3166 code ("TH", "US-AL") and a name alone or followed by its state and/or country, with
    or without commas ("San Diego, CA", "Tupelo MS", "Springfield Illinois", "Sarasota County,
    Florida, US"). Names compare as `normalize_name` folds them (case, accents, punctuation,
    Saint/St, Fort/Ft, Mount/Mt). A bare two-letter code is a US postal code first ("IN" is
    Indiana), then an ISO country code; the other reading is in `alternatives`. Raises
    UnknownPlace when nothing matches and AmbiguousPlace when several places fit and no rule
    picks one. The work is bounded: a query of more than 4 parts or 12 words matches nothing.
    """
    raw = query.strip()
    if not raw:
        raise UnknownPlace(query, "Type a ZIP code, a place, a county, a state or a country.")
    if zip_match := ZIP_CODE_PATTERN.match(raw):
        return _find_zip_code(query, zip_match[1])
    if raw.lower().startswith(OCD_PREFIX):
        return _find_ocd_id(query, "".join(raw.lower().split()))
    text = normalize_name(raw)
    if not text.replace(",", "").strip():
        raise UnknownPlace(query, "Type a ZIP code, a place, a county, a state or a country.")
    return _find_name(query, text)


def _find_zip_code(query: str, code: str) -> PlaceMatch:
    found = _zip_code_rows.rows(code=code)
    if not found:
        raise UnknownPlace(query, "We have no such US ZIP code.")
    # As select_related("place", "county", "state") reads them.
    row = found[0]
    zip_code = ZipCode.from_db("default", _ZIP_FIELDS, row[: len(_ZIP_FIELDS)])
    start = len(_ZIP_FIELDS)
    for name in _ZIP_PLACES:
        fields = row[start : start + len(_FIELDS)]
        start += len(_FIELDS)
        place = Jurisdiction.from_db("default", _FIELDS, fields) if fields[0] is not None else None
        zip_code._state.fields_cache[name] = place
    jurisdiction = zip_code.place or zip_code.county or zip_code.state
    return PlaceMatch(jurisdiction, MatchedBy.ZIP_CODE, zip_code=zip_code)


_ZIP_PLACES = ("place", "county", "state")


@compiled
def _zip_code_rows(code):
    return ZipCode.objects.filter(code=code).values_list(
        *_ZIP_FIELDS, *(f"{name}__{field}" for name in _ZIP_PLACES for field in _FIELDS)
    )


def _find_ocd_id(query: str, ocd_id: str) -> PlaceMatch:
    rows = _division_rows.rows(ocd_id=ocd_id)
    if not rows:
        raise UnknownPlace(query, "No division has that OCD id.")
    found = Jurisdiction.from_db("default", _FIELDS, rows[0])
    by = MatchedBy.OCD_ID if found.ocd_id == ocd_id else MatchedBy.OCD_ALIAS
    return PlaceMatch(found, by)


@compiled
def _division_rows(ocd_id):
    aliased = OcdAlias.objects.filter(ocd_id=ocd_id).values("jurisdiction_id")
    return (
        Jurisdiction.objects.filter(Q(ocd_id=ocd_id) | Q(pk__in=aliased))
        .order_by("pk")  # as first() orders
        .values_list(*_FIELDS)[:1]
    )


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

    jurisdiction: Jurisdiction
    names: set[str] = field(default_factory=set)  # its own search name and alternate names

    def named(self, keys: Iterable[str]) -> bool:
        return not self.names.isdisjoint(keys)


def _named_like(keys: set[str], codes: set[str]) -> list[_Row]:
    """One query: every jurisdiction a key names (its own or an alternate name) or a code
    codes, with its parent chain and the alternate name that matched."""
    rows: list[_Row] = []
    width = len(_FIELDS)
    for row in _named_rows.rows(keys=sorted(keys), codes=sorted(codes)):
        parent = None
        # Read as select_related("parent__parent__parent") reads them: the outermost first.
        for start in range((len(_CHAIN) - 1) * width, -1, -width):
            if row[start] is not None:
                jurisdiction = Jurisdiction.from_db("default", _FIELDS, row[start : start + width])
                jurisdiction._state.fields_cache["parent"] = parent
                parent = jurisdiction
        rows.append(_Row(parent, {parent.search_name} | ({row[-1]} - {None})))
    return rows


_FIELDS = [field.attname for field in Jurisdiction._meta.concrete_fields]
_ZIP_FIELDS = [field.attname for field in ZipCode._meta.concrete_fields]
_CHAIN = ("", "parent__", "parent__parent__", "parent__parent__parent__")


@compiled
def _named_rows(keys, codes):
    named = JurisdictionName.objects.filter(search_name__in=keys)
    # Each condition is an indexed lookup on its own, so the database reads a few rows, never
    # the whole table; the alternate name is looked up for those rows only.
    return (
        Jurisdiction.objects.filter(
            Q(search_name__in=keys)
            | Q(iso_code__in=codes)
            | Q(pk__in=named.values("jurisdiction_id"))
        )
        .annotate(
            alternate=Subquery(named.filter(jurisdiction=OuterRef("pk")).values("search_name")[:1])
        )
        .order_by()
        .values_list(*(f"{up}{field}" for up in _CHAIN for field in _FIELDS), "alternate")
    )


def _find_name(query: str, text: str) -> PlaceMatch:
    every = readings(text)
    if not every:
        raise UnknownPlace(query, "That is too long to be a place name.")
    keys = {key for reading in every for key in (*reading.name.keys, *reading.qualifiers)}
    codes = {code for reading in every for part in reading.qualifiers for code in _codes(part)}
    codes |= _codes(every[0].name.exact[0])
    rows = _named_like(keys, codes)
    unknown_qualifier = ""
    closest: tuple[str, set[int] | None] = (every[0].name.exact[0], None)
    for reading in every:
        enclosing = [_states_or_countries(rows, part) for part in reading.qualifiers]
        if missing := [p for p, ids in zip(reading.qualifiers, enclosing, strict=True) if not ids]:
            unknown_qualifier = unknown_qualifier or missing[0]
            continue
        if enclosing and closest[1] is None:
            closest = (reading.name.exact[0], set.intersection(*enclosing))
        inside = [row for row in rows if _within(row.jurisdiction, enclosing)]
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


def _within(jurisdiction: Jurisdiction, enclosing: list[set[int]]) -> bool:
    ancestors = {a.pk for a in _ancestors(jurisdiction)}
    return all(ancestors & ids for ids in enclosing)


def _ancestors(row: Jurisdiction) -> Iterable[Jurisdiction]:
    # Loaded by select_related("parent__parent__parent"): a township, its county, state, country.
    parent = row.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _is_country_or_us_state(row: Jurisdiction) -> bool:
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
            return PlaceMatch(found[0], by, alternatives=others)
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
    for said, kind in name.said:
        if row.named([said]) and _is_kind(j, kind):
            # After exact names: "Rockwell City" is Rockwell City, not the city of Rockwell.
            return _SAID
    if j.level == Jurisdiction.Level.PLACE and j.is_incorporated and row.named(name.longer):
        return _SECOND_READING  # "Boise" for Boise City, "Methuen" for Methuen Town
    if j.level == Jurisdiction.Level.COUNTY and row.named(name.county):
        return _COUNTY  # "Honolulu" for Honolulu County
    return None


def _place_tier(j: Jurisdiction) -> int:
    if j.level == Jurisdiction.Level.STATE:
        return _MUNICIPAL  # a first-level division abroad: Bavaria
    if j.place_kind == PlaceKind.CENSUS_DESIGNATED:
        return _COMMUNITY
    if j.place_kind == PlaceKind.FORMER:
        return _SECOND_READING
    if j.is_incorporated:
        return _MUNICIPAL
    return _TOWNSHIP


def _is_kind(j: Jurisdiction, kind: str) -> bool:
    if kind == Kind.COUNTY:
        return j.level == Jurisdiction.Level.COUNTY
    if j.level != Jurisdiction.Level.PLACE:
        return False
    if kind == Kind.TOWNSHIP:
        return j.place_kind == PlaceKind.COUNTY_SUBDIVISION or j.is_incorporated is None
    if kind == Kind.COMMUNITY:
        return j.place_kind == PlaceKind.CENSUS_DESIGNATED
    return bool(j.is_incorporated)


def _pick(query: str, name: NameForms, rows: list[_Row]) -> PlaceMatch | None:
    """The place of the best tier if it is alone there; the other tiers are alternatives."""
    tiers: dict[int, list[Jurisdiction]] = {}
    for row in rows:
        if (tier := _tier(row, name)) is not None:
            tiers.setdefault(tier, []).append(row.jurisdiction)
    if not tiers:
        return None
    best = min(tiers)
    winners = _one_per_census_place(tiers[best])
    if len(winners) > 1:
        raise AmbiguousPlace(query, describe_candidates(winners))
    others = _ordered(j for tier, found in sorted(tiers.items()) if tier != best for j in found)
    return PlaceMatch(winners[0], _matched_by(query, winners[0]), alternatives=others)


def _one_per_census_place(found: list[Jurisdiction]) -> list[Jurisdiction]:
    """Two OCD rows for one census place (Indianapolis, with and without its county in the
    id) are one place to a reader: keep the one whose id does not run through a county."""
    kept: dict[str, Jurisdiction] = {}
    others = []
    for j in sorted(found, key=lambda j: ("/county:" in j.ocd_id, len(j.ocd_id), j.ocd_id)):
        if j.level == Jurisdiction.Level.PLACE and len(j.census_geoid) == 7:
            kept.setdefault(j.census_geoid, j)
        else:
            others.append(j)
    return [*kept.values(), *others]


def _matched_by(query: str, row: Jurisdiction) -> str:
    return (
        MatchedBy.ISO_CODE
        if row.iso_code and row.iso_code == query.strip().upper()
        else MatchedBy.NAME
    )


_LEVEL_ORDER = {level: rank for rank, level in enumerate(Jurisdiction.Level.values)}


def _ordered(rows: Iterable[Jurisdiction]) -> tuple[Jurisdiction, ...]:
    """Broadest level first, then largest population, then by name."""
    unique = {row.pk: row for row in rows}.values()
    return tuple(
        sorted(unique, key=lambda r: (_LEVEL_ORDER[r.level], -(r.population or 0), r.name))
    )


# Words for candidates


_KIND_WORDS = {
    PlaceKind.CENSUS_DESIGNATED: "unincorporated community",
    PlaceKind.FORMER: "former municipality",
}
_OFFICIAL_KINDS = ("city", "town", "village", "borough", "township", "municipality", "plantation")


def describe_candidates(found: Iterable[Jurisdiction]) -> list[Candidate]:
    """Each jurisdiction in words, largest population first (one query: places' counties).

    "Springfield — city in Sangamon County, Illinois, 114,394 people"; "Sangamon County —
    county in Illinois"; "Georgia — country".
    """
    ordered = sorted(
        found, key=lambda j: (_LEVEL_ORDER[j.level], -(j.population or 0), j.name, j.ocd_id)
    )
    places = [j.pk for j in ordered if j.level == Jurisdiction.Level.PLACE]
    # Query: the county holding most of each place's people.
    counties = dict(
        PlaceCounty.objects.filter(place_id__in=places, position=0).values_list(
            "place_id", "county__name"
        )
        if places
        else []
    )
    return [_candidate(j, counties.get(j.pk, "")) for j in ordered]


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
