"""Geography: how names are compared, and how a reader's query finds a place.

`find_place` reads a ZIP code, an OCD division id (canonical or alias), an ISO 3166 code or a
name with optional state or country ("San Diego, CA", "Sarasota County, Florida"). It never
guesses: a name that fits several places raises AmbiguousPlace with the candidates, except the
one rule readers expect, that a bare name or code of exactly one country or US state means it.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from legality.errors import TrackerError
from legality.models import Jurisdiction, JurisdictionName, OcdAlias, ZipCode

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Lower-case, strip accents, collapse spaces: 'Bogotá  D.C.' -> 'bogota d.c.'.

    Used both when storing `search_name` and when reading a query, so the two always agree.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", without_accents.replace("’", "'")).strip().casefold()


# Domain errors (TrackerError) kept beside the lookup that raises them: AmbiguousPlace words its
# message with describe_jurisdiction, which errors.py cannot import without a cycle.
class UnknownPlace(TrackerError):
    """Nothing matches the query (views answer 404)."""

    def __init__(self, query: str, reason: str = "") -> None:
        self.query = query
        detail = f" {reason}" if reason else ""
        super().__init__(f"No place matches “{query.strip()}”.{detail}")


class AmbiguousPlace(TrackerError):
    """Several places match and none is the obvious reading (views answer 300 with them)."""

    def __init__(self, query: str, candidates: Sequence[Jurisdiction]) -> None:
        self.query = query
        self.candidates = tuple(candidates)
        names = ", ".join(describe_jurisdiction(j) for j in self.candidates[:5])
        more = f" and {len(self.candidates) - 5} more" if len(self.candidates) > 5 else ""
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


def describe_jurisdiction(jurisdiction: Jurisdiction) -> str:
    """'San Diego (place, ocd-division/country:us/state:ca/place:san_diego)' for messages."""
    return f"{jurisdiction.name} ({jurisdiction.level}, {jurisdiction.ocd_id})"


_ZIP_CODE = re.compile(r"^(\d{5})(?:-\d{4})?$")  # ZIP+4 reads as its ZIP code
_TWO_LETTERS = re.compile(r"^[a-z]{2}$")
_ISO_SUBDIVISION = re.compile(r"^[a-z]{2}-[a-z0-9]{1,3}$")
_OCD_PREFIX = "ocd-division/"
# Words a reader may add to a name that the stored name may lack, per level: the loader keeps
# "San Diego" for "San Diego city", and a county may be stored with or without "County".
_SUFFIXES = {
    Jurisdiction.Level.COUNTY: (
        "county",
        "parish",
        "borough",
        "census area",
        "municipio",
        "municipality",
        "city and borough",
    ),
    Jurisdiction.Level.PLACE: ("city", "town", "village", "township", "borough"),
}
_LEVEL_ORDER = {level: rank for rank, level in enumerate(Jurisdiction.Level.values)}


def find_place(query: str) -> PlaceMatch:
    """The place a reader's query names, in one database query.

    Accepts a 5-digit ZIP code (ZIP+4 too), an OCD division id or one of its aliases, an ISO
    3166 code ("TH", "US-AL") and a name alone or followed by its state and/or country
    ("San Diego, CA", "Sarasota County, Florida", "Springfield, Illinois, US"). Names compare
    case-, accent- and space-insensitively (`normalize_name`). A bare two-letter code is a US
    postal code first ("IN" is Indiana), then an ISO country code; the other reading is in
    `alternatives`. Raises UnknownPlace when nothing matches and AmbiguousPlace when several
    places fit and no rule picks one.
    """
    text = normalize_name(query)
    if not text:
        raise UnknownPlace(query, "Type a ZIP code, a place, a county, a state or a country.")
    if zip_match := _ZIP_CODE.match(text):
        return _find_zip_code(query, zip_match[1])
    if text.startswith(_OCD_PREFIX):
        return _find_ocd_id(query, text.replace(" ", ""))
    return _find_name(query, text)


def _find_zip_code(query: str, code: str) -> PlaceMatch:
    try:
        zip_code = ZipCode.objects.select_related("place", "county", "state").get(code=code)
    except ZipCode.DoesNotExist:
        raise UnknownPlace(query, "We have no such US ZIP code.") from None
    jurisdiction = zip_code.place or zip_code.county or zip_code.state
    return PlaceMatch(jurisdiction, MatchedBy.ZIP_CODE, zip_code=zip_code)


def _find_ocd_id(query: str, ocd_id: str) -> PlaceMatch:
    aliased = OcdAlias.objects.filter(ocd_id=ocd_id).values("jurisdiction_id")
    found = Jurisdiction.objects.filter(Q(ocd_id=ocd_id) | Q(pk__in=aliased)).first()
    if found is None:
        raise UnknownPlace(query, "No division has that OCD id.")
    by = MatchedBy.OCD_ID if found.ocd_id == ocd_id else MatchedBy.OCD_ALIAS
    return PlaceMatch(found, by)


@dataclass(frozen=True)
class _Terms:
    """What one part of a name query may match: names, ISO codes and level-specific names."""

    name: str
    codes: tuple[str, ...] = ()
    postal_code: str = ""  # "US-CA" for "ca"
    stripped: tuple[tuple[str, str], ...] = ()  # ("sarasota", "county") for "sarasota county"
    county_names: tuple[str, ...] = ()  # "honolulu county", ... for "honolulu"


def _terms(part: str) -> _Terms:
    codes: tuple[str, ...] = ()
    postal_code = ""
    if _TWO_LETTERS.match(part):
        postal_code = f"US-{part.upper()}"
        codes = (part.upper(), postal_code)
    elif _ISO_SUBDIVISION.match(part):
        codes = (part.upper(),)
    stripped = tuple(
        (part.removesuffix(f" {suffix}"), level)
        for level, suffixes in _SUFFIXES.items()
        for suffix in suffixes
        if part.endswith(f" {suffix}")
    )
    county_names = tuple(f"{part} {suffix}" for suffix in _SUFFIXES[Jurisdiction.Level.COUNTY])
    return _Terms(part, codes, postal_code, stripped, () if stripped else county_names)


def _find_name(query: str, text: str) -> PlaceMatch:
    parts = [part.strip() for part in text.split(",")]
    name, qualifiers = parts[0], [part for part in parts[1:] if part]
    if not name:
        raise UnknownPlace(query)
    main = _terms(name)
    wanted = [main, *(_terms(part) for part in qualifiers)]
    # A name with a comma of its own ("Korea, Republic of") is tried whole first.
    whole = _terms(", ".join([name, *qualifiers])) if qualifiers else None
    rows = _named_like([*wanted, whole] if whole else wanted)
    if whole and (named := [row for row in rows if _is_exact(row, whole, len(wanted))]):
        return _pick(query, named)
    enclosing = []
    for i, terms in enumerate(wanted[1:], start=1):
        fits = [row for row in rows if _is_exact(row, terms, i) and _is_country_or_state(row)]
        if not fits:
            raise UnknownPlace(query, f"We know no state or country called “{terms.name}”.")
        enclosing.append({row.pk for row in fits})

    def within(row: Jurisdiction) -> bool:
        ancestors = {a.pk for a in _ancestors(row)}
        return all(ancestors & ids for ids in enclosing)

    exact = [row for row in rows if _is_exact(row, main, 0) and within(row)]
    if not qualifiers and main.postal_code and (match := _read_code(main, exact)):
        return match
    # Names as written first; then without the word the stored name lacks ("Sarasota County"
    # stored as "Sarasota", "San Diego city" as "San Diego"); last, a county whose name adds
    # the word ("Honolulu" for Honolulu County), so a town called so is never passed over.
    stripped = [row for row in rows if (row.search_name, row.level) in main.stripped]
    county = [
        r
        for r in rows
        if r.level == Jurisdiction.Level.COUNTY and r.search_name in main.county_names
    ]
    for candidates in (exact, stripped, county):
        if candidates := [row for row in candidates if within(row)]:
            return _pick(query, candidates)
    raise UnknownPlace(query)


def _named_like(wanted: list[_Terms]) -> list[Jurisdiction]:
    """One query: every jurisdiction a part of the query may name, with its parent chain."""
    names = {t.name for t in wanted}
    names |= {name for t in wanted[:1] for name, _ in t.stripped} | set(wanted[0].county_names)
    codes = {code for t in wanted for code in t.codes}
    alternate = JurisdictionName.objects.filter(search_name__in=names)
    return list(
        Jurisdiction.objects.filter(
            Q(search_name__in=names)
            | Q(iso_code__in=codes)
            | Q(pk__in=alternate.values("jurisdiction_id"))
        )
        # Which part matched an alternate name; the chain to check "…, state, country".
        .annotate(
            **{
                f"alternate_{i}": Exists(
                    alternate.filter(jurisdiction=OuterRef("pk"), search_name=t.name)
                )
                for i, t in enumerate(wanted)
            }
        )
        .select_related("parent__parent__parent")
        .order_by()
    )


def _is_exact(row: Jurisdiction, terms: _Terms, index: int) -> bool:
    return (
        row.search_name == terms.name
        or row.iso_code in terms.codes
        or getattr(row, f"alternate_{index}")
    )


def _is_country_or_state(row: Jurisdiction) -> bool:
    return row.level in (Jurisdiction.Level.COUNTRY, Jurisdiction.Level.STATE)


def _is_country_or_us_state(row: Jurisdiction) -> bool:
    return row.level == Jurisdiction.Level.COUNTRY or (
        row.level == Jurisdiction.Level.STATE and row.country_code == "US"
    )


def _ancestors(row: Jurisdiction) -> Iterable[Jurisdiction]:
    # Loaded by select_related("parent__parent__parent"): a township, its county, state, country.
    parent = row.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _read_code(terms: _Terms, rows: list[Jurisdiction]) -> PlaceMatch | None:
    """A bare two-letter code: a US postal code first, then an ISO country code."""
    postal = [r for r in rows if r.level == Jurisdiction.Level.STATE and r.iso_code in terms.codes]
    if len(postal) == 1:
        others = _ordered(r for r in rows if r.pk != postal[0].pk)
        return PlaceMatch(postal[0], MatchedBy.US_POSTAL_CODE, alternatives=others)
    country = [
        r for r in rows if r.level == Jurisdiction.Level.COUNTRY and r.iso_code in terms.codes
    ]
    if len(country) == 1:
        others = _ordered(r for r in rows if r.pk != country[0].pk)
        return PlaceMatch(country[0], MatchedBy.ISO_CODE, alternatives=others)
    return None


def _pick(query: str, candidates: list[Jurisdiction]) -> PlaceMatch:
    """One candidate, or the only country or US state among several; else AmbiguousPlace."""
    candidates = list(_ordered(candidates))
    if not candidates:
        raise UnknownPlace(query)
    if len(candidates) == 1:
        return PlaceMatch(candidates[0], _matched_by(query, candidates[0]))
    # "Florida" is the state although towns called Florida exist; "Georgia" is two readings.
    principal = [row for row in candidates if _is_country_or_us_state(row)]
    if len(principal) == 1:
        others = tuple(row for row in candidates if row.pk != principal[0].pk)
        return PlaceMatch(principal[0], _matched_by(query, principal[0]), alternatives=others)
    raise AmbiguousPlace(query, candidates)


def _matched_by(query: str, row: Jurisdiction) -> str:
    return (
        MatchedBy.ISO_CODE
        if row.iso_code and row.iso_code == query.strip().upper()
        else MatchedBy.NAME
    )


def _ordered(rows: Iterable[Jurisdiction]) -> tuple[Jurisdiction, ...]:
    unique = {row.pk: row for row in rows}.values()
    return tuple(sorted(unique, key=lambda r: (_LEVEL_ORDER[r.level], r.name, r.ocd_id)))
