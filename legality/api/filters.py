"""Query-string filters of the public API lists (django-filter)."""

from datetime import UTC

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from django_filters.widgets import BooleanWidget
from rest_framework.exceptions import ValidationError

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


class UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        # In UTC: PostgreSQL's timestamptz refuses offsets beyond ±15:59, which ISO 8601 allows.
        return moment.astimezone(UTC) if moment is not None else None


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 moment with any UTC offset, compared in UTC."""

    field_class = UtcIsoDateTimeField


class StrictBooleanWidget(BooleanWidget):
    """true or false (or empty: no filter); anything else is an error, not a silent no-filter."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if value not in (None, "", "true", "false"):
            raise ValidationError({name: [f"Write true or false, not {value[:20]!r}."]})
        return super().value_from_datadict(data, files, name)


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
    changed_since = IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )
    stale = filters.BooleanFilter(
        field_name="is_stale",
        widget=StrictBooleanWidget,
        help_text="true: only entries with an open review flag; false: only those without.",
    )

    class Meta:
        model = LegalStatus
        fields = ["jurisdiction", "level", "country", "parent", "substance", "status"]

    def filter_effective_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.in_force_on(value)
