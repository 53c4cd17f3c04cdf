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


def _zip_codes(codes: set[str]) -> dict[str, ZipCode]:
    if not codes:
        return {}
    # Query: the ZIP codes with their place, county and state (the columns a match shows).
    shown = ("id", "ocd_id", "name", "level", "is_incorporated", "place_kind", "parent")
    rows = (
        ZipCode.objects.filter(code__in=codes)
        .select_related("place", "county", "state")
        .only(
            "id",
            "code",
            "postal_city",
            *(f"{j}__{field}" for j in ("place", "county", "state") for field in shown),
        )
    )
    return {row.code: row for row in rows}


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
