"""List filters shared by the admin's change lists."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet

from legality.models import LegalStatus, ReviewFlag


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

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        # Only countries that have entries, in one query: a filter over the jurisdictions would
        # list every country in the gazetteer.
        codes = (
            LegalStatus.objects.order_by("jurisdiction__country_code")
            .values_list("jurisdiction__country_code", flat=True)
            .distinct()
        )
        return [(code, code) for code in codes]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(jurisdiction__country_code=self.value())
        return queryset


class FlagStateFilter(admin.SimpleListFilter):
    """Review flags still open, or closed."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("open", "open"), ("closed", "resolved or dismissed")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(resolved_at__isnull=False)
        return queryset
