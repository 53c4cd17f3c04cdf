"""find_place: the place a reader's query names, in a small constant number of queries.

It reads a ZIP code, an OCD division id (canonical or alias), an ISO 3166 code or a name with
optional state or country, typed as people type it ("Tupelo MS", "Springfield Illinois", "St.
Louis, MO", "Sarasota County, Florida"). Rules a reader expects, and nothing more: a bare name
or code of exactly one country or US state means it; a municipality beats a same-name township,
unincorporated community or county unless the reader names the kind; several real places of
one name raise AmbiguousPlace with the candidates, largest first, described in words. A city
abroad (GeoNames, 15,000+ people) is a name of the division or country it lies in, ranked
among places of its name by its people ("London" is London, England first). The name search
and its rules are in `name_search`; what a query finds, or why it finds none, in `matches`.
"""

import re

from django.db.models import Q

from legality.compiled_queries import compiled
from legality.models import Jurisdiction, OcdAlias, ZipCode

from .matches import MatchedBy, PlaceMatch, UnknownPlace
from .name_search import JURISDICTION_FIELDS, find_name
from .naming import normalize_name

ZIP_CODE_PATTERN = re.compile(r"^(\d{5})(?:-\d{4})?$")  # ZIP+4 reads as its ZIP code
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
    return find_name(query, text)


def _find_zip_code(query: str, code: str) -> PlaceMatch:
    found = _zip_code_rows.rows(code=code)
    if not found:
        raise UnknownPlace(query, "We have no such US ZIP code.")
    # As select_related("place", "county", "state") reads them.
    row = found[0]
    zip_code = ZipCode.from_db("default", _ZIP_FIELDS, row[: len(_ZIP_FIELDS)])
    start = len(_ZIP_FIELDS)
    for name in _ZIP_PLACES:
        fields = row[start : start + len(JURISDICTION_FIELDS)]
        start += len(JURISDICTION_FIELDS)
        place = (
            Jurisdiction.from_db("default", JURISDICTION_FIELDS, fields)
            if fields[0] is not None
            else None
        )
        zip_code._state.fields_cache[name] = place
    jurisdiction = zip_code.place or zip_code.county or zip_code.state
    return PlaceMatch(jurisdiction, MatchedBy.ZIP_CODE, zip_code=zip_code)


_ZIP_PLACES = ("place", "county", "state")


@compiled
def _zip_code_rows(code):
    return ZipCode.objects.filter(code=code).values_list(
        *_ZIP_FIELDS, *(f"{name}__{field}" for name in _ZIP_PLACES for field in JURISDICTION_FIELDS)
    )


def _find_ocd_id(query: str, ocd_id: str) -> PlaceMatch:
    rows = _division_rows.rows(ocd_id=ocd_id)
    if not rows:
        raise UnknownPlace(query, "No division has that OCD id.")
    found = Jurisdiction.from_db("default", JURISDICTION_FIELDS, rows[0])
    by = MatchedBy.OCD_ID if found.ocd_id == ocd_id else MatchedBy.OCD_ALIAS
    return PlaceMatch(found, by)


@compiled
def _division_rows(ocd_id):
    aliased = OcdAlias.objects.filter(ocd_id=ocd_id).values("jurisdiction_id")
    return (
        Jurisdiction.objects.filter(Q(ocd_id=ocd_id) | Q(pk__in=aliased))
        .order_by("pk")  # as first() orders
        .values_list(*JURISDICTION_FIELDS)[:1]
    )


_ZIP_FIELDS = [field.attname for field in ZipCode._meta.concrete_fields]
