"""Which status each shape and dot of a map shows, by resolution's own rules, in bulk.

Each jurisdiction on a map is resolved exactly as its page resolves it (`resolve_layers` over the
same layers: its ancestors, the counties a place lies in, itself), so the map always agrees with
the lookup and the API. Five queries whatever the number of jurisdictions.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q

from legality.models import Jurisdiction, LegalStatus, OcdAlias, PlaceCounty, Substance
from legality.resolution import (
    Enclosure,
    JurisdictionRef,
    Result,
    SubstanceRef,
    UnknownSubstance,
    resolve_layers,
)
from legality.resolution.loading import jurisdiction_ref, load_entries

Level = Jurisdiction.Level


@dataclass(frozen=True)
class Shade:
    """How one jurisdiction looks on a map on a date, for one substance."""

    jurisdiction: JurisdictionRef
    census_geoid: str
    iso_code: str
    result: Result  # its answer, the same as its page gives
    has_own_entry: bool  # its own layer has an entry on the date (a county or city of its own)
    is_unincorporated_only: bool  # that entry reaches only unincorporated areas ("hatched")
    varies_within: bool = False  # a county or place inside it answers differently

    @property
    def status(self) -> str:
        return self.result.status


@dataclass(frozen=True)
class Shading:
    substance: SubstanceRef
    as_of: datetime.date
    shades: dict[int, Shade]  # by jurisdiction id

    def find(self, ocd_id: str) -> Shade | None:
        return next((s for s in self.shades.values() if s.jurisdiction.ocd_id == ocd_id), None)


def with_own_entries() -> Q:
    """Jurisdictions that have a published entry of any substance, on any date."""
    return Q(pk__in=LegalStatus.objects.published().values("jurisdiction_id"))


def shade(condition: Q, *, on: datetime.date, substance: str) -> Shading:
    """Resolve every jurisdiction `condition` selects on `on` for `substance` (a slug).

    Raises UnknownSubstance for a slug we do not track. `varies_within` is set on a jurisdiction
    of the selection when another selected one inside it (a county of a state, a place of a
    county or state) has its own entry and answers differently on that date: select the parts
    too for it to be known. Queries: the substances, the jurisdictions (with their parent chain),
    the counties their places lie in, and the published entries of all of them with sources.
    """
    substances = {s.slug: s for s in _substances()}
    if substance not in substances:
        raise UnknownSubstance([substance])
    wanted = substances[substance]
    # Query: the jurisdictions, each with its parent chain (township -> county -> state ->
    # country), and whether a county is a consolidated city-county, as resolution loads them.
    city_alias = OcdAlias.objects.filter(jurisdiction=OuterRef("pk"), ocd_id__contains="/place:")
    rows = list(
        Jurisdiction.objects.filter(condition)
        .select_related("parent__parent__parent")
        .annotate(is_city_county=Exists(city_alias))
    )
    # Query: the counties where the places have residents (a place's county layers; a part with
    # no residents is no layer of law, as in resolution).
    links = PlaceCounty.objects.filter(
        place_id__in=[row.pk for row in rows if row.level == Level.PLACE], has_residents=True
    ).select_related("county")
    counties_of: dict[int, list[Jurisdiction]] = {}
    for link in links:
        counties_of.setdefault(link.place_id, []).append(link.county)
    layers_of = {row.pk: [*_ancestors(row), *counties_of.get(row.pk, ()), row] for row in rows}
    every = {j.pk: j for layers in layers_of.values() for j in layers}
    # Queries: their published entries (every substance: a kratom ban covers 7-OH) and sources.
    entries = load_entries(list(every), None)
    enclosures = {
        pk: Enclosure(jurisdiction_ref(j), entries.get(pk, ())) for pk, j in every.items()
    }
    shades = {
        row.pk: _shade(row, [enclosures[j.pk] for j in layers_of[row.pk]], on=on, wanted=wanted)
        for row in rows
    }
    return Shading(wanted, on, _mark_varies_within(shades, layers_of))


def _substances() -> list[SubstanceRef]:
    # Query: the substances.
    rows = Substance.objects.order_by("id").only("id", "slug", "name")
    return [SubstanceRef(row.id, row.slug, row.name) for row in rows]


def _ancestors(row: Jurisdiction) -> Iterator[Jurisdiction]:
    parent = row.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _shade(
    row: Jurisdiction, layers: list[Enclosure], *, on: datetime.date, wanted: SubstanceRef
) -> Shade:
    place = layers[-1].jurisdiction
    result = resolve_layers(place, layers, on=on, substances=[wanted]).results[0]
    own = next(layer for layer in result.layers if layer.jurisdiction.id == place.id)
    return Shade(
        jurisdiction=place,
        census_geoid=row.census_geoid,
        iso_code=row.iso_code,
        result=result,
        has_own_entry=own.entry is not None,
        is_unincorporated_only=own.applies_to == LegalStatus.AppliesTo.UNINCORPORATED,
    )


def _mark_varies_within(
    shades: dict[int, Shade], layers_of: dict[int, list[Jurisdiction]]
) -> dict[int, Shade]:
    varies: set[int] = set()
    for pk, shade_ in shades.items():
        if not shade_.has_own_entry:
            continue
        for outer in layers_of[pk][:-1]:
            if outer.pk in shades and shades[outer.pk].status != shade_.status:
                varies.add(outer.pk)
    return {
        pk: replace(shade_, varies_within=True) if pk in varies else shade_
        for pk, shade_ in shades.items()
    }
