"""The resolver's queries, each compiled once per process and shape (legality.compiled_queries).

`loading` runs them and shapes their rows; they are plain values_list() QuerySets, so the SQL
is Django's and the rows are read anew on every call.
"""

import functools
import operator

from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import StrIndex

from legality.activities import ACTIVITIES, field_name
from legality.compiled_queries import compiled
from legality.models import (
    Jurisdiction,
    LegalStatus,
    OcdAlias,
    PlaceCounty,
    Substance,
    ZipCodeCounty,
)

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


@compiled
def every_substance():
    return Substance.objects.order_by("id").values_list("id", "slug", "name")


@compiled
def substances_named(slugs):
    return every_substance.build().filter(slug__in=slugs)


@compiled
def with_ancestors(ids):
    # The jurisdictions and their parents, grandparents and great-grandparents (a township's
    # county, state and country), each once: a thousand ZIP codes' rows name a few dozen states,
    # which a join would read again for each row.
    asked = Jurisdiction.objects.filter(pk__in=ids)
    ancestors = [asked.values(f"{up}parent_id") for up in ("", "parent__", "parent__parent__")]
    # A consolidated city-county (Denver, San Francisco) is filed under its county id with the
    # city's place id as an alias: its county entries are the city's too (see rules._applies_to).
    # StrIndex, not ocd_id__contains: SQLite prepares a statement with a LIKE on a bound pattern
    # again at every run (its plan may depend on the pattern), which cost more than the query.
    city_alias = OcdAlias.objects.annotate(place_at=StrIndex("ocd_id", Value("/place:"))).filter(
        jurisdiction=OuterRef("pk"), place_at__gt=0
    )
    return (
        Jurisdiction.objects.filter(
            functools.reduce(operator.or_, (Q(pk__in=up) for up in ancestors), Q(pk__in=ids))
        )
        .annotate(is_city_county=Exists(city_alias))
        .order_by()
        .values_list(*REF_FIELDS, "is_city_county")
    )


@compiled
def place_counties(ids):
    return (
        PlaceCounty.objects.filter(place_id__in=ids)
        .order_by("place_id", "position")
        .values_list("place_id", "county_id", "has_residents")
    )


@compiled
def zip_counties(ids):
    return ZipCodeCounty.objects.filter(zip_code_id__in=ids).values_list(
        "zip_code_id", "county_id", "land_share"
    )


# The columns a JurisdictionRef needs, and its parent's id.
REF_FIELDS = ("id", "ocd_id", "name", "level", "is_incorporated", "place_kind", "parent")

# The columns of a status an Entry needs, read as plain rows: a lookup builds no model instances.
ENTRY_FIELDS = (
    "id",
    "jurisdiction_id",
    "substance__slug",
    "status",
    "minimum_age",
    "applies_to",
    "summary",
    "details",
    "effective_from",
    "effective_from_precision",
    "effective_until",
    "unverified",
    "last_verified_at",
    "created_at",
    *(field_name(activity) for activity in ACTIVITIES),
    "minimum_age_applies_to",
    "product_limits",
    "penalty",
    # Annotated by LegalStatus.objects.with_review_state().
    "has_open_flag",
    "flagged_at",
    "is_being_checked",
)


def statuses(*, ids=None, substances=None):
    statuses = LegalStatus.objects.published()
    if ids is not None:
        statuses = statuses.filter(jurisdiction_id__in=ids)
    if substances is not None:
        statuses = statuses.filter(substance__slug__in=list(substances))
    return (
        statuses.with_review_state()
        .order_by("jurisdiction_id", "effective_from", "id")
        .values_list(*ENTRY_FIELDS)
    )


statuses_of = compiled(lambda ids: statuses(ids=ids))
statuses_of_named = compiled(lambda ids, slugs: statuses(ids=ids, substances=slugs))


@compiled
def sources_of(ids):
    return (
        LegalStatus.sources.through.objects.filter(legalstatus_id__in=ids)
        .order_by(F("source__published_on").asc(nulls_last=True), "source__title", "source_id")
        .values_list("legalstatus_id", *(f"source__{field}" for field in SOURCE_FIELDS))
    )
