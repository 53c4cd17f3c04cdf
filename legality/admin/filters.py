"""List filters shared by the admin's change lists."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet

from legality.models import ReviewFlag


class HasOpenFlagsFilter(admin.SimpleListFilter):
    """Legal statuses with, or without, a review flag still open."""

    title = "open review flags"
    parameter_name = "has_open_flags"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", "has open flags"), ("no", "no open flags")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        open_flags = Exists(ReviewFlag.objects.open().filter(legal_status=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(open_flags)
        if self.value() == "no":
            return queryset.filter(~open_flags)
        return queryset


class CountryFilter(admin.SimpleListFilter):
    """Legal statuses by the country of their jurisdiction."""

    title = "country"
    parameter_name = "country"
    country_field = "jurisdiction__country_code"  # from the change list's model

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        # Only countries that have rows, in one query: a filter over the jurisdictions would
        # list every country in the gazetteer.
        codes = (
            model_admin.model.objects.order_by(self.country_field)
            .values_list(self.country_field, flat=True)
            .distinct()
        )
        return [(code, code) for code in codes]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{self.country_field: self.value()})
        return queryset


class FlagCountryFilter(CountryFilter):
    """Review flags by the country of their entry's jurisdiction."""

    country_field = "legal_status__jurisdiction__country_code"


class FlagStateFilter(admin.SimpleListFilter):
    """Review flags still open (the review queue, shown by default), closed, or all of them."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("open", "open"), ("closed", "resolved or dismissed"), ("all", "all")]

    def value(self) -> str:
        return super().value() or "open"

    def choices(self, changelist):
        # No "All" of its own: "all" is a lookup, since no choice at all means "open".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(resolved_at__isnull=False)
        return queryset
