"""Admin for where a law applies: jurisdictions, their other names, OCD aliases and ZIP codes.

There are about 45,000 jurisdictions and 42,000 ZIP codes: every foreign key to them is an
autocomplete field or a read-only link, never a select of all of them.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from legality.geography import normalize_name
from legality.models import (
    Jurisdiction,
    JurisdictionName,
    LegalStatus,
    OcdAlias,
    PlaceCounty,
    Subscription,
    ZipCode,
    ZipCodeCounty,
)

from .statuses import describe_period


class SearchNameForm(forms.ModelForm):
    """Writes `search_name` from `name` exactly as the loaders do, so edits stay findable.

    It is a hidden form field, not set in save_model(), so that the unique constraint on a
    jurisdiction's names is validated: a duplicate is a form error, not a database error.
    """

    search_name = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["search_name"] = normalize_name(cleaned.get("name") or "")
        return cleaned


class JurisdictionNameInline(admin.TabularInline):
    """The jurisdiction's own other names. The names of cities abroad lying in it (England
    has over a thousand) are listed under "Jurisdiction names", not on its page."""

    model = JurisdictionName
    form = SearchNameForm
    fields = ["name", "search_name"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[JurisdictionName]:
        return super().get_queryset(request).filter(population=None)


class PlaceCountyInline(admin.TabularInline):
    """The counties a place lies in (load_jurisdictions writes them from the census)."""

    model = PlaceCounty
    fk_name = "place"
    fields = ["county", "position", "has_residents"]
    autocomplete_fields = ["county"]
    extra = 0
    verbose_name = "county the place lies in"
    verbose_name_plural = "counties the place lies in (largest population first)"


class OcdAliasInline(admin.TabularInline):
    model = OcdAlias
    fields = ["ocd_id", "note"]
    extra = 0


class LegalStatusSummaryInline(admin.TabularInline):
    """One read-only line per entry with a link to it: entries are edited on their own page."""

    model = LegalStatus
    fields = ["substance", "status", "period", "is_published", "last_verified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "legal statuses (edit each on its own page)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("substance")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="period")
    def period(self, entry: LegalStatus) -> str:
        return describe_period(entry)


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    form = SearchNameForm
    list_display = [
        "name",
        "ocd_id",
        "level",
        "parent",
        "country_code",
        "iso_code",
        "census_geoid",
        "is_official_ocd_id",
        "subscribers",
    ]
    list_select_related = ["parent"]
    list_filter = ["level", "place_kind", "is_official_ocd_id", "is_incorporated"]
    search_fields = [
        "name",
        "search_name",
        "ocd_id",
        "iso_code",
        "census_geoid",
        "alternate_names__search_name",
    ]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "search_name", "official_name", "ocd_id", "level"]}),
        (
            "Identity",
            {
                "fields": [
                    "is_official_ocd_id",
                    "division_type",
                    "parent",
                    "country_code",
                    "iso_code",
                    "census_geoid",
                ]
            },
        ),
        (
            "Places",
            {"fields": ["place_kind", "is_incorporated", "population", "latitude", "longitude"]},
        ),
        ("Alerts", {"fields": ["subscribers"]}),
    ]
    inlines = [
        JurisdictionNameInline,
        PlaceCountyInline,
        OcdAliasInline,
        LegalStatusSummaryInline,
    ]

    # The loaders upsert on the OCD id and rebuild the nesting from it: only a superuser may
    # change what identifies a jurisdiction.
    identity_fields = [
        "ocd_id",
        "is_official_ocd_id",
        "level",
        "division_type",
        "parent",
        "country_code",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Confirmed alert subscribers: a count per row (a subquery, so only the page's rows pay
        # for it). Curators see how many people follow a place, never who.
        confirmed = (
            Subscription.objects.confirmed()
            .filter(jurisdiction=OuterRef("pk"))
            .order_by()
            .values("jurisdiction")
            .annotate(n=Count("pk"))
            .values("n")
        )
        followers = Coalesce(Subquery(confirmed), 0)
        return super().get_queryset(request).annotate(subscriber_count=followers)

    @admin.display(description="alert subscribers", ordering="subscriber_count")
    def subscribers(self, jurisdiction: Jurisdiction) -> int:
        return jurisdiction.subscriber_count

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if request.user.is_superuser or obj is None:
            return ["subscribers"]
        return [*self.identity_fields, "subscribers"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Legal facts hang off jurisdictions (PROTECT): removing one is a superuser's decision,
        # whatever permissions a group is given later.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions


@admin.register(PlaceCounty)
class PlaceCountyAdmin(admin.ModelAdmin):
    """The census's place-county links (load_jurisdictions keeps them; a curator may add one)."""

    list_display = ["place", "county", "position", "has_residents"]
    list_select_related = ["place", "county"]
    list_filter = ["has_residents"]
    search_fields = ["place__name", "place__ocd_id", "county__name"]
    autocomplete_fields = ["place", "county"]


@admin.register(ZipCodeCounty)
class ZipCodeCountyAdmin(admin.ModelAdmin):
    """The counties of each ZIP code area and their land shares (load_jurisdictions keeps them)."""

    list_display = ["zip_code", "county", "land_share", "position"]
    list_select_related = ["zip_code", "county"]
    search_fields = ["zip_code__code", "county__name"]
    autocomplete_fields = ["zip_code", "county"]


@admin.register(JurisdictionName)
class JurisdictionNameAdmin(admin.ModelAdmin):
    form = SearchNameForm
    fields = ["jurisdiction", "name", "search_name", "population", "needs_qualifier"]
    list_display = ["name", "jurisdiction", "search_name", "population", "needs_qualifier"]
    list_filter = ["needs_qualifier"]
    list_select_related = ["jurisdiction"]
    search_fields = ["name", "search_name", "jurisdiction__name", "jurisdiction__ocd_id"]
    autocomplete_fields = ["jurisdiction"]


@admin.register(OcdAlias)
class OcdAliasAdmin(admin.ModelAdmin):
    list_display = ["ocd_id", "jurisdiction", "note"]
    list_select_related = ["jurisdiction"]
    search_fields = ["ocd_id", "jurisdiction__ocd_id", "jurisdiction__name"]
    autocomplete_fields = ["jurisdiction"]


@admin.register(ZipCode)
class ZipCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "postal_city", "state", "county", "place"]
    list_select_related = ["state", "county", "place"]
    # Only the states that have ZIP codes, not every jurisdiction.
    list_filter = [("state", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["^code", "postal_city", "county__name", "place__name"]
    autocomplete_fields = ["state", "county", "place"]
