"""Query-string filters of the public API lists (django-filter)."""

from datetime import timedelta

from django import forms
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


# PostgreSQL's timestamptz takes UTC offsets up to ±15:59; Python's datetime takes up to ±23:59.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


class OffsetCheckedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and moment.utcoffset() and abs(moment.utcoffset()) > MAX_UTC_OFFSET:
            raise forms.ValidationError("Give a UTC offset between -15:59 and +15:59.")
        return moment


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 moment whose UTC offset the database can store (else 400, not 500)."""

    field_class = OffsetCheckedIsoDateTimeField


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
