"""find_places: many readers' queries at once, ZIP codes and OCD ids as sets (bulk lookups)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from legality.compiled_queries import compiled
from legality.errors import TrackerError
from legality.models import Jurisdiction, ZipCode

from .lookup import OCD_PREFIX, ZIP_CODE_PATTERN, find_place
from .matches import MatchedBy, PlaceMatch, UnknownPlace


@dataclass(frozen=True, slots=True)
class ZipCodeMatch:
    """A ZIP code a bulk lookup found, as plain ids: a thousand model instances cost more than
    their rows. It names what `find_place`'s PlaceMatch for the code names: the place to
    resolve is the ZIP's place when its postal city names one (then `approximate`), else its
    county, else its state."""

    code: str
    zip_code_id: int
    state_id: int
    county_id: int | None
    place_id: int | None
    # The counties of its area with their share of its land, the Census's primary one first
    # (none for a ZIP code with no area of its own, a PO box's).
    counties: tuple[tuple[int, Decimal], ...] = ()
    matched_by = MatchedBy.ZIP_CODE

    @property
    def jurisdiction_id(self) -> int:
        return self.place_id or self.county_id or self.state_id

    @property
    def approximate(self) -> bool:
        return self.place_id is not None


def find_places(queries: Sequence[str]) -> list[PlaceMatch | ZipCodeMatch | TrackerError]:
    """What each query names, in order: a ZipCodeMatch, a PlaceMatch, or the error
    `find_place` would raise.

    ZIP codes (ZIP+4 too) cost one query for all of them, with the counties of their areas;
    OCD ids and their aliases one more; anything else is a name, read by `find_place` one by
    one (one query each, two when it is ambiguous), so a list of ZIP codes and OCD ids costs
    two queries whatever its length.
    """
    zip_codes = {q: m[1] for q in queries if (m := ZIP_CODE_PATTERN.match(q.strip()))}
    ocd_ids = {
        q: "".join(q.lower().split())
        for q in queries
        if q not in zip_codes and q.strip().lower().startswith(OCD_PREFIX)
    }
    by_code = _zip_codes(set(zip_codes.values()))
    by_ocd_id = _divisions(set(ocd_ids.values()))
    found: list[PlaceMatch | ZipCodeMatch | TrackerError] = []
    for query in queries:
        if query in zip_codes:
            found.append(
                by_code.get(zip_codes[query]) or UnknownPlace(query, "We have no such US ZIP code.")
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


@compiled
def _zip_code_rows(codes):
    return (
        ZipCode.objects.filter(code__in=codes)
        .order_by("id", "county_shares__position")
        .values_list(
            "code",
            "id",
            "state_id",
            "county_id",
            "place_id",
            "county_shares__county_id",
            "county_shares__land_share",
        )
    )


def _zip_codes(codes: set[str]) -> dict[str, ZipCodeMatch]:
    if not codes:
        return {}
    # Query: the ZIP codes' ids and those of their state, county and place, a row per county
    # of their area with its share of the land (the resolver needs them all).
    found: dict[str, tuple] = {}
    counties: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for *zip_code, county_id, share in _zip_code_rows.rows(codes=sorted(codes)):
        found[zip_code[0]] = zip_code
        if county_id is not None:
            counties[zip_code[0]].append((county_id, share))
    return {
        code: ZipCodeMatch(*zip_code, counties=tuple(counties[code]))
        for code, zip_code in found.items()
    }


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
