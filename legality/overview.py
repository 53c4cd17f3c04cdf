"""The dataset at a glance: every US state and country resolved on a date, and what changed.

Pages and feeds read these; each function costs a fixed number of queries however many
jurisdictions, entries, sources or history rows there are.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from legality.changes import StatusChange, status_changes
from legality.geography import PlaceMatch
from legality.models import Jurisdiction, Substance
from legality.resolution import (
    Answer,
    Enclosure,
    Entry,
    JurisdictionRef,
    Result,
    SubstanceRef,
    resolve_layers,
    resolve_with_entries,
)

# The overview builds the same Entry and JurisdictionRef as resolve() from rows it loads in bulk.
from legality.resolution.loading import jurisdiction_ref, load_entries

RECENT_CHANGES = 10
PLACE_HISTORY = 25


@dataclass(frozen=True)
class GlanceRow:
    """One country or US state: its answer per substance, in the substances' public order."""

    jurisdiction: JurisdictionRef
    results: tuple[Result, ...]

    @property
    def is_known(self) -> bool:
        return any(result.status != "unknown" for result in self.results)


@dataclass(frozen=True)
class Overview:
    as_of: datetime.date
    substances: tuple[SubstanceRef, ...]
    us_states: tuple[GlanceRow, ...]  # states, DC and territories, by name
    countries: tuple[GlanceRow, ...]  # by name
    recent_changes: tuple[StatusChange, ...]  # the newest past changes, newest first
    upcoming_changes: tuple[StatusChange, ...]  # changes still to come, soonest first


@dataclass(frozen=True)
class PlaceOverview:
    answer: Answer
    changes: tuple[StatusChange, ...]  # the changes of the answer's layers, newest first
    # Every published entry of the layers, by jurisdiction id (for the timelines).
    entries: dict[int, tuple[Entry, ...]]


def overview(*, on: datetime.date, changes: int = RECENT_CHANGES) -> Overview:
    """Every country and US state (DC and territories too) resolved on `on`, the `changes`
    newest changes in the law up to `on`, and the changes still to come.

    A US state's layers are the United States and the state; a country's layer is itself. The
    rules are resolution's own (`resolve_layers`), so a row always equals what the place's page
    says. Five queries: the substances, the jurisdictions, their published statuses (with their
    review state), those statuses' sources, and the published periods for the changes.
    """
    # Query: the substances, in their public order.
    substances = tuple(
        SubstanceRef(row.id, row.slug, row.name)
        for row in Substance.objects.order_by("id").only("id", "slug", "name")
    )
    glance = Q(level=Jurisdiction.Level.COUNTRY) | Q(
        level=Jurisdiction.Level.STATE, country_code="US"
    )
    # Query: the countries and the US states.
    jurisdictions = list(
        Jurisdiction.objects.filter(glance)
        .only("id", "ocd_id", "name", "level", "is_incorporated", "place_kind", "parent_id")
        .order_by("name", "ocd_id")
    )
    entries = load_entries([row.pk for row in jurisdictions], [s.slug for s in substances])
    enclosures = {
        row.pk: Enclosure(jurisdiction_ref(row), entries.get(row.pk, ())) for row in jurisdictions
    }

    def row(jurisdiction: Jurisdiction) -> GlanceRow:
        layers = [enclosures[jurisdiction.pk]]
        if jurisdiction.parent_id in enclosures:
            layers.insert(0, enclosures[jurisdiction.parent_id])
        answer = resolve_layers(layers[-1].jurisdiction, layers, on=on, substances=substances)
        return GlanceRow(answer.place, answer.results)

    # Query: every dated change (see legality.changes).
    every_change = status_changes()
    upcoming = [change for change in every_change if change.is_upcoming(on)]
    past = [change for change in every_change if not change.is_upcoming(on)]
    return Overview(
        as_of=on,
        substances=substances,
        us_states=tuple(row(j) for j in jurisdictions if j.level == Jurisdiction.Level.STATE),
        countries=tuple(row(j) for j in jurisdictions if j.level == Jurisdiction.Level.COUNTRY),
        recent_changes=tuple(past[:changes]),
        upcoming_changes=tuple(reversed(upcoming)),
    )


def place_overview(
    match: PlaceMatch, *, on: datetime.date, history: int = PLACE_HISTORY
) -> PlaceOverview:
    """A place's answer on `on` (see `resolve`) and the `history` newest changes in the law of
    every layer of that answer (the place, its counties, state and country), upcoming included.

    The queries of `resolve` plus one for the changes.
    """
    answer, entries = resolve_with_entries(match, on=on)
    layer_ids = {layer.jurisdiction.id for layer in answer.results[0].layers}
    # Query: the status changes of the layers, newest first (upcoming ones included).
    changes = status_changes(jurisdiction_ids=layer_ids)[:history]
    return PlaceOverview(answer=answer, changes=tuple(changes), entries=entries)
