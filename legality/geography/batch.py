"""find_places: many readers' queries at once, ZIP codes and OCD ids as sets (bulk lookups)."""

from collections.abc import Sequence

from django.db.models import F, Q

from legality.errors import TrackerError
from legality.models import Jurisdiction, ZipCode

from .lookup import (
    OCD_PREFIX,
    ZIP_CODE_PATTERN,
    MatchedBy,
    PlaceMatch,
    UnknownPlace,
    find_place,
)


def find_places(queries: Sequence[str]) -> list[PlaceMatch | TrackerError]:
    """What each query names, in order: a PlaceMatch, or the error `find_place` would raise.

    ZIP codes (ZIP+4 too) cost one query for all of them, OCD ids and their aliases one more;
    anything else is a name, read by `find_place` one by one (one query each, two when it is
    ambiguous), so a list of ZIP codes and OCD ids costs two queries whatever its length.
    """
    zip_codes = {q: m[1] for q in queries if (m := ZIP_CODE_PATTERN.match(q.strip()))}
    ocd_ids = {
        q: "".join(q.lower().split())
        for q in queries
        if q not in zip_codes and q.strip().lower().startswith(OCD_PREFIX)
    }
    by_code = _zip_codes(set(zip_codes.values()))
    by_ocd_id = _divisions(set(ocd_ids.values()))
    found: list[PlaceMatch | TrackerError] = []
    for query in queries:
        if query in zip_codes:
            zip_code = by_code.get(zip_codes[query])
            jurisdiction = zip_code and (zip_code.place or zip_code.county or zip_code.state)
            found.append(
                PlaceMatch(jurisdiction, MatchedBy.ZIP_CODE, zip_code=zip_code)
                if zip_code is not None
                else UnknownPlace(query, "We have no such US ZIP code.")
            )
        elif query in ocd_ids:
            found.append(
                by_ocd_id.get(ocd_ids[query]) or UnknownPlace(query, "No division has that OCD id.")
            )
        else:
            try:
                found.append(find_place(query))
            except TrackerError as error:  # UnknownPlace or AmbiguousPlace: this item's answer
                found.append(error)
    return found


def _in_model_order(model, names: set[str]) -> tuple[str, ...]:
    # Model.from_db() takes a subset of the columns in the model's own order.
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# The columns a bulk match shows: the ZIP code's, and each of its place, county and state's.
_ZIP_FIELDS = _in_model_order(
    ZipCode, {"id", "code", "postal_city", "state_id", "county_id", "place_id"}
)
_SHOWN = _in_model_order(
    Jurisdiction, {"id", "ocd_id", "name", "level", "is_incorporated", "place_kind", "parent_id"}
)
_ZIP_PLACES = ("place", "county", "state")


def _zip_codes(codes: set[str]) -> dict[str, ZipCode]:
    if not codes:
        return {}
    # Query: the ZIP codes with their place, county and state (the columns a match shows).
    rows = ZipCode.objects.filter(code__in=codes).values_list(
        *_ZIP_FIELDS, *(f"{name}__{field}" for name in _ZIP_PLACES for field in _SHOWN)
    )
    # As select_related() with only() reads them, but one instance per jurisdiction: the ZIP
    # codes of one state share it.
    jurisdictions: dict[int, Jurisdiction] = {}
    found = {}
    width = len(_SHOWN)
    for row in rows:
        zip_code = ZipCode.from_db("default", _ZIP_FIELDS, row[: len(_ZIP_FIELDS)])
        for i, name in enumerate(_ZIP_PLACES):
            fields = row[len(_ZIP_FIELDS) + i * width : len(_ZIP_FIELDS) + (i + 1) * width]
            place = None
            if fields[0] is not None and (place := jurisdictions.get(fields[0])) is None:
                place = jurisdictions[fields[0]] = Jurisdiction.from_db("default", _SHOWN, fields)
            zip_code._state.fields_cache[name] = place
        found[zip_code.code] = zip_code
    return found


def _divisions(ocd_ids: set[str]) -> dict[str, PlaceMatch]:
    if not ocd_ids:
        return {}
    # Query: the divisions by OCD id or alias (a row per matching alias of a found division;
    # filter() then annotate() on the same relation reuses its join).
    rows = (
        Jurisdiction.objects.filter(Q(ocd_id__in=ocd_ids) | Q(ocd_aliases__ocd_id__in=ocd_ids))
        .annotate(alias=F("ocd_aliases__ocd_id"))
        .order_by()
    )
    found: dict[str, PlaceMatch] = {}
    for row in rows:
        if row.ocd_id in ocd_ids:
            found[row.ocd_id] = PlaceMatch(row, MatchedBy.OCD_ID)
        if row.alias in ocd_ids:
            found.setdefault(row.alias, PlaceMatch(row, MatchedBy.OCD_ALIAS))
    return found
