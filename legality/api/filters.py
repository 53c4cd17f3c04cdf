"""Query-string filters of the public API lists (django-filter)."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from legality.models import Jurisdiction, LegalStatus


class JurisdictionFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Jurisdiction.Level.choices, help_text="Layer of law.")
    country = filters.CharFilter(
        field_name="country_code", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2, e.g. US."
    )
    parent = filters.CharFilter(
        field_name="parent__ocd_id", help_text="OCD id of the enclosing jurisdiction."
    )

    class Meta:
        model = Jurisdiction
        fields = ["level", "country", "parent"]


class LegalStatusFilter(filters.FilterSet):
    jurisdiction = filters.CharFilter(field_name="jurisdiction__ocd_id", help_text="OCD id.")
    level = filters.ChoiceFilter(
        field_name="jurisdiction__level", choices=Jurisdiction.Level.choices, help_text="Layer."
    )
    country = filters.CharFilter(
        field_name="jurisdiction__country_code", lookup_expr="iexact", help_text="ISO alpha-2."
    )
    parent = filters.CharFilter(
        field_name="jurisdiction__parent__ocd_id", help_text="OCD id of the enclosing jurisdiction."
    )
    substance = filters.CharFilter(field_name="substance__slug", help_text="kratom or 7-oh.")
    status = filters.ChoiceFilter(choices=LegalStatus.Status.choices, help_text="Status.")
    effective_on = filters.DateFilter(
        method="filter_effective_on", help_text="Only entries in force on this day (YYYY-MM-DD)."
    )
    changed_since = filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )
    stale = filters.BooleanFilter(
        field_name="is_stale", help_text="true: only entries with an open review flag."
    )

    class Meta:
        model = LegalStatus
        fields = ["jurisdiction", "level", "country", "parent", "substance", "status"]

    def filter_effective_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.in_force_on(value)
