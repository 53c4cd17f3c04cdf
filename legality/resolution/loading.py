"""Loading a place's layers in a fixed number of queries, and `resolve`, the public entry point.

However many layers, sources or history rows a place has, a lookup costs four queries:
the substances, the enclosing jurisdictions, their published statuses (with "has an open flag"
as a subquery), and the statuses' sources. With no status at all the last one is skipped.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from legality.activities import Coding, ProductLimit
from legality.errors import TrackerError
from legality.geography import PlaceMatch
from legality.models import (
    Jurisdiction,
    LegalStatus,
    OcdAlias,
    PlaceCounty,
    Source,
    Substance,
    ZipCode,
    ZipCodeCounty,
)

from .answers import (
    KRATOM,
    SEVEN_OH,
    Answer,
    Enclosure,
    Entry,
    JurisdictionRef,
    SourceRef,
    SubstanceRef,
)
from .rules import resolve_layers

SOURCE_FIELDS = (
    "id",
    "title",
    "url",
    "citation",
    "publisher",
    "kind",
    "published_on",
    "published_precision",
    "archive_url",
)


# A domain error (TrackerError) kept beside resolve(), the one place that raises it.
class UnknownSubstance(TrackerError):
    """A substance slug we do not track (views answer 400)."""

    def __init__(self, slugs: Iterable[str]) -> None:
        self.slugs = tuple(slugs)
        super().__init__(f"We track no substance called {', '.join(self.slugs)}.")


def resolve(
    place: Jurisdiction | PlaceMatch,
    *,
    on: datetime.date,
    substances: Sequence[str] | None = None,
    zip_code: ZipCode | None = None,
) -> Answer:
    """The legal status of each substance in `place` on `on`, with every layer and its sources.

    `place` is what `find_place` returned (a ZIP code match carries its ZipCode) or a
    Jurisdiction; pass `zip_code` with a Jurisdiction to ask about a ZIP code (its state and
    county are certain, its place approximate). `substances` are slugs (default: all, in their
    order); an unknown slug raises UnknownSubstance. Only published entries count. Four queries
    whatever the size of the place's history; see `load_enclosures` and `rules.resolve_layers`.
    """
    if isinstance(place, PlaceMatch):
        zip_code = place.zip_code or zip_code
        place = place.jurisdiction
    wanted = _load_substances(substances)
    slugs = {s.slug for s in wanted} | ({KRATOM} if SEVEN_OH in {s.slug for s in wanted} else set())
    place_ref, enclosures = load_enclosures(place, zip_code=zip_code, substances=slugs)
    return resolve_layers(
        place_ref,
        enclosures,
        on=on,
        substances=wanted,
        zip_code=zip_code.code if zip_code is not None else None,
    )


def _load_substances(slugs: Sequence[str] | None) -> list[SubstanceRef]:
    # Query: the substances asked for (all of them by default), in their public order.
    rows = Substance.objects.order_by("id").only("id", "slug", "name")
    if slugs is not None:
        rows = rows.filter(slug__in=slugs)
    found = [SubstanceRef(row.id, row.slug, row.name) for row in rows]
    if slugs is not None and (missing := set(slugs) - {s.slug for s in found}):
        raise UnknownSubstance(sorted(missing))
    return found


def load_enclosures(
    place: Jurisdiction, *, zip_code: ZipCode | None = None, substances: Iterable[str]
) -> tuple[JurisdictionRef, list[Enclosure]]:
    """The place and its layers with every published entry of `substances` (slugs), in 3 queries.

    Layers: the place, its ancestors (state, country, and the county of a township) and every
    county it lies in. For a ZIP code: its state, its own county (not the assumed place's
    counties) and its assumed place, marked approximate; the other counties of its area come
    `beside` it, with their share of its land.
    """
    jurisdictions = _load_jurisdictions(place, zip_code)
    statuses = _load_statuses(jurisdictions, substances)
    entries = defaultdict(list)
    for status in statuses:
        entries[status.jurisdiction_id].append(entry_from_status(status))
    approximate_id = zip_code.place_id if zip_code is not None else None
    enclosures = [
        Enclosure(
            jurisdiction_ref(j),
            tuple(entries[j.pk]),
            approximate=j.pk == approximate_id,
            uninhabited=getattr(j, "uninhabited", False),
            zip_share=getattr(j, "zip_share", None),
            beside=zip_code is not None
            and getattr(j, "zip_share", None) is not None
            and j.pk != zip_code.county_id,
        )
        for j in jurisdictions.values()
    ]
    return jurisdiction_ref(jurisdictions.get(place.pk, place)), enclosures


def _load_jurisdictions(place: Jurisdiction, zip_code: ZipCode | None) -> dict[int, Jurisdiction]:
    # Query: the place (or the ZIP's state, county and place) and the counties it lies in, each
    # with its parent chain (township -> county -> state -> country) joined in.
    # A consolidated city-county (Denver, San Francisco) is filed under its county id with the
    # city's place id as an alias: its county entries are the city's too (see rules._applies_to).
    city_alias = OcdAlias.objects.filter(jurisdiction=OuterRef("pk"), ocd_id__contains="/place:")
    rows = Jurisdiction.objects.select_related("parent__parent__parent").annotate(
        is_city_county=Exists(city_alias)
    )
    if zip_code is not None:
        ids = [pk for pk in (zip_code.state_id, zip_code.county_id, zip_code.place_id) if pk]
        # Every county of the ZIP code's area, with its share of the area's land.
        shares = ZipCodeCounty.objects.filter(zip_code_id=zip_code.pk)
        share = shares.filter(county_id=OuterRef("pk")).values("land_share")[:1]
        rows = rows.filter(Q(pk__in=ids) | Q(pk__in=shares.values("county_id"))).annotate(
            zip_share=Subquery(share)
        )
    else:
        within = PlaceCounty.objects.filter(place_id=place.pk)
        # A county part with no residents is a note on the page, not a layer of law.
        uninhabited = within.filter(county_id=OuterRef("pk"), has_residents=False)
        rows = rows.filter(Q(pk=place.pk) | Q(pk__in=within.values("county_id"))).annotate(
            uninhabited=Exists(uninhabited)
        )
    found: dict[int, Jurisdiction] = {}
    for row in rows:
        found[row.pk] = row
        # A ZIP's place is only assumed: its own county and state do not join the answer; an
        # uninhabited county part brings no state of its own either.
        if (zip_code is not None and row.pk == zip_code.place_id) or getattr(
            row, "uninhabited", False
        ):
            continue
        if zip_code is not None and row.pk not in ids:
            continue  # another county of the ZIP's area: its side is answered with the ZIP's state
        parent = row.parent
        while parent is not None:
            found.setdefault(parent.pk, parent)
            parent = parent.parent
    return found


def _load_statuses(
    jurisdictions: dict[int, Jurisdiction], substances: Iterable[str]
) -> list[LegalStatus]:
    sources = Source.objects.only(*SOURCE_FIELDS).order_by(
        F("published_on").asc(nulls_last=True), "title", "id"
    )
    # Query: every published period of the layers (history included, for `upcoming`), with the
    # substance joined and its review state as subqueries.
    # Query: their sources (prefetch), skipped by Django when there is no status.
    return list(
        LegalStatus.objects.published()
        .filter(jurisdiction_id__in=list(jurisdictions), substance__slug__in=list(substances))
        .select_related("substance")
        .with_review_state()
        .prefetch_related(Prefetch("sources", queryset=sources))
        .order_by("jurisdiction_id", "effective_from", "id")
    )


def jurisdiction_ref(jurisdiction: Jurisdiction) -> JurisdictionRef:
    return JurisdictionRef(
        id=jurisdiction.pk,
        ocd_id=jurisdiction.ocd_id,
        name=jurisdiction.name,
        level=jurisdiction.level,
        is_incorporated=jurisdiction.is_incorporated,
        place_kind=jurisdiction.place_kind,
        # Annotated on the rows a lookup loads; a parent joined in (a township's county) is
        # read as a plain county.
        is_city_county=getattr(jurisdiction, "is_city_county", False),
    )


def entry_from_status(status: LegalStatus) -> Entry:
    return Entry(
        id=status.pk,
        jurisdiction_id=status.jurisdiction_id,
        substance=status.substance.slug,
        status=status.status,
        minimum_age=status.minimum_age,
        applies_to=status.applies_to,
        summary=status.summary,
        details=status.details,
        effective_from=status.effective_from,
        effective_from_precision=status.effective_from_precision,
        effective_until=status.effective_until,
        unverified=status.unverified,
        last_verified_at=status.last_verified_at,
        recorded_on=timezone.localdate(status.created_at),
        has_open_flag=status.has_open_flag,
        flagged_on=timezone.localdate(status.flagged_at) if status.flagged_at else None,
        is_being_checked=status.is_being_checked,
        sources=tuple(_source(source) for source in status.sources.all()),
        coding=coding_of(status),
    )


def coding_of(status: LegalStatus) -> Coding:
    """What `status` says of each activity, as resolution's plain data."""
    return Coding(
        rules=tuple(status.activity_rules.values()),
        minimum_age_applies_to=tuple(status.minimum_age_applies_to),
        product_limits=tuple(ProductLimit(**limit) for limit in status.product_limits),
        penalty=status.penalty,
    )


def _source(source: Source) -> SourceRef:
    return SourceRef(
        id=source.pk,
        title=source.title,
        url=source.url,
        citation=source.citation,
        publisher=source.publisher,
        kind=source.kind,
        published_on=source.published_on,
        published_precision=source.published_precision,
        archive_url=source.archive_url,
    )
