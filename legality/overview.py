"""The dataset at a glance: every US state and country resolved on a date, and what changed.

Pages and feeds read these; each function costs a fixed number of queries however many
jurisdictions, entries, sources or history rows there are.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Lag

from legality.geography import PlaceMatch
from legality.models import Jurisdiction, LegalStatus, ReviewFlag, Source, Substance
from legality.resolution import (
    Answer,
    Enclosure,
    JurisdictionRef,
    Result,
    SubstanceRef,
    resolve,
    resolve_layers,
)

# The overview builds the same Entry and JurisdictionRef as resolve() from rows it loads in bulk.
from legality.resolution.loading import SOURCE_FIELDS, entry_from_status, jurisdiction_ref

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
    recent_changes: tuple  # HistoricalLegalStatus rows, see status_changes()


@dataclass(frozen=True)
class PlaceOverview:
    answer: Answer
    changes: tuple  # the newest status changes of the answer's layers, see status_changes()


def overview(*, on: datetime.date, changes: int = RECENT_CHANGES) -> Overview:
    """Every country and US state (DC and territories too) resolved on `on`, and recent changes.

    A US state's layers are the United States and the state; a country's layer is itself. The
    rules are resolution's own (`resolve_layers`), so a row always equals what the place's page
    says. Five queries: the substances, the jurisdictions, their published statuses (with "has
    an open flag"), those statuses' sources, and the `changes` newest status changes.
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
    entries = _published_entries(
        Q(jurisdiction__level=Jurisdiction.Level.COUNTRY)
        | Q(jurisdiction__level=Jurisdiction.Level.STATE, jurisdiction__country_code="US")
    )
    enclosures = {
        row.pk: Enclosure(jurisdiction_ref(row), tuple(entries[row.pk])) for row in jurisdictions
    }

    def row(jurisdiction: Jurisdiction) -> GlanceRow:
        layers = [enclosures[jurisdiction.pk]]
        if jurisdiction.parent_id in enclosures:
            layers.insert(0, enclosures[jurisdiction.parent_id])
        answer = resolve_layers(layers[-1].jurisdiction, layers, on=on, substances=substances)
        return GlanceRow(answer.place, answer.results)

    return Overview(
        as_of=on,
        substances=substances,
        us_states=tuple(row(j) for j in jurisdictions if j.level == Jurisdiction.Level.STATE),
        countries=tuple(row(j) for j in jurisdictions if j.level == Jurisdiction.Level.COUNTRY),
        # Query: the newest status changes.
        recent_changes=tuple(status_changes()[:changes]),
    )


def _published_entries(condition: Q) -> dict[int, list]:
    """Every published entry of the jurisdictions `condition` selects, by jurisdiction id."""
    open_flags = ReviewFlag.objects.open().filter(legal_status=OuterRef("pk"))
    sources = Source.objects.only(*SOURCE_FIELDS).order_by(
        F("published_on").asc(nulls_last=True), "title", "id"
    )
    # Query: the statuses with their substance and "has an open review flag" (EXISTS).
    # Query: their sources (prefetch; skipped by Django when there is no status).
    statuses = (
        LegalStatus.objects.published()
        .filter(condition)
        .select_related("substance")
        .annotate(has_open_flag=Exists(open_flags))
        .prefetch_related(Prefetch("sources", queryset=sources))
        .order_by("jurisdiction_id", "effective_from", "id")
    )
    entries = defaultdict(list)
    for status in statuses:
        entries[status.jurisdiction_id].append(entry_from_status(status))
    return entries


def place_overview(
    match: PlaceMatch, *, on: datetime.date, history: int = PLACE_HISTORY
) -> PlaceOverview:
    """A place's answer on `on` (see `resolve`) and the `history` newest status changes of
    every layer of that answer (the place, its counties, state and country).

    The queries of `resolve` plus one for the changes.
    """
    answer = resolve(match, on=on)
    layer_ids = {layer.jurisdiction.id for layer in answer.results[0].layers}
    # Query: the newest status changes of the layers.
    changes = status_changes().filter(jurisdiction_id__in=layer_ids)[:history]
    return PlaceOverview(answer=answer, changes=tuple(changes))


def _lag(expression) -> Window:
    # The same entry's previous record: history rows of one entry share its id.
    return Window(
        Lag(expression),
        partition_by=[F("id")],
        order_by=[F("history_date").asc(), F("history_id").asc()],
    )


def status_changes() -> QuerySet:
    """The history records of published entries that changed what the public reads, newest first.

    A record counts when the entry first appears published, when it is deleted, or when its
    status, minimum age or period differs from the entry's previous published record; re-saves
    that only touch the summary, the sources or the last-verified date are left out. Each row
    carries `previous_status` (None for a new entry) and its jurisdiction and substance, so a
    page or feed of changes costs one query (and one more to count, when paginated).
    """
    # A NULL compares unequal to everything in SQL, so empty values get a stand-in first.
    no_age, no_day = Value(-1), Value(datetime.date(1, 1, 1))
    age = Coalesce("minimum_age", no_age, output_field=IntegerField())
    start = Coalesce("effective_from", no_day, output_field=DateField())
    end = Coalesce("effective_until", no_day, output_field=DateField())
    return (
        LegalStatus.history.filter(is_published=True)
        .annotate(
            previous_status=_lag(F("status")),
            previous_age=_lag(age),
            previous_start=_lag(start),
            previous_end=_lag(end),
        )
        .filter(
            Q(previous_status__isnull=True)
            | Q(history_type="-")
            | ~Q(previous_status=F("status"))
            | ~Q(previous_age=age)
            | ~Q(previous_start=start)
            | ~Q(previous_end=end)
        )
        .select_related("jurisdiction", "substance")
        .defer("internal_notes")
        .order_by("-history_date", "-history_id")
    )
