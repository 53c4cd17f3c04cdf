"""Shapes of the public API. Internal notes and unpublished entries never pass through here."""

import copy
from datetime import date, timedelta

from rest_framework import serializers

from legality.activities import ACTIVITIES, PRODUCT_LIMIT_KINDS, RULES
from legality.input_limits import MAX_QUERY_LENGTH, validate_place_query
from legality.models import Jurisdiction, LegalStatus, Source

ACTIVITY_RULES_HELP = (
    "What the entry says of each activity (sale, possession, use, manufacture, distribution, "
    "import): allowed, prohibited, age_limited, conditions (allowed under a licence, "
    "registration or product rules), not_addressed (the law is silent) or unknown (the sources "
    "don't tell)."
)


def activity_rules_field(**kwargs) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.ChoiceField(choices=RULES), help_text=ACTIVITY_RULES_HELP, **kwargs
    )


class ProductLimitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PRODUCT_LIMIT_KINDS)
    text = serializers.CharField()


class LastDayInForceField(serializers.DateField):
    """The model stores the first day an entry no longer applies; the public sees the last day."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("allow_null", True)  # null: still in force
        super().__init__(**kwargs)

    def to_representation(self, value: date | None) -> str | None:
        return super().to_representation(value - timedelta(days=1)) if value else None


class BlankAsNullField(serializers.CharField):
    """Text stored blank, shown as null (and so declared nullable in the schema)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


class JurisdictionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["ocd_id", "name", "level"]


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="ocd_id", read_only=True, allow_null=True, help_text="null for a country."
    )
    country = serializers.CharField(source="country_code")
    iso_code = BlankAsNullField()
    census_geoid = BlankAsNullField()

    class Meta:
        model = Jurisdiction
        fields = [
            "ocd_id",
            "name",
            "level",
            "division_type",
            "parent",
            "country",
            "iso_code",
            "census_geoid",
            "is_official_ocd_id",
        ]


class SourceSerializer(serializers.ModelSerializer):
    url = BlankAsNullField()
    citation = BlankAsNullField()

    class Meta:
        model = Source
        fields = ["title", "url", "citation", "publisher", "kind", "published_on"]


class LegalStatusSerializer(serializers.ModelSerializer):
    jurisdiction = JurisdictionRefSerializer()
    substance = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    applies_to = BlankAsNullField(help_text="County entries: whole, unincorporated or null.")
    effective_from_precision = BlankAsNullField()
    effective_until = LastDayInForceField(help_text="Last day in force; null: still in force.")
    stale = serializers.BooleanField(source="is_stale", help_text="Has an open review flag.")
    sources = SourceSerializer(many=True)
    activities = activity_rules_field(source="activity_rules")
    minimum_age_applies_to = serializers.ListField(
        child=serializers.ChoiceField(choices=ACTIVITIES),
        help_text="The activities the minimum age governs.",
    )
    product_limits = ProductLimitSerializer(many=True)
    penalty = BlankAsNullField(help_text="The penalty in plain words; null: not known.")

    class Meta:
        model = LegalStatus
        fields = [
            "jurisdiction",
            "substance",
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
            "stale",
            "updated_at",
            "activities",
            "minimum_age_applies_to",
            "product_limits",
            "penalty",
            "sources",
        ]


class StatusChangeSerializer(serializers.Serializer):
    """One change in the law: a jurisdiction's rule for a substance became different."""

    # The instance is a legality.changes.StatusChange.

    date = serializers.DateField(source="day", help_text="The first day under the new rule.")
    precision = serializers.CharField(help_text="day, month or year: how much of date is known.")
    is_upcoming = serializers.SerializerMethodField(help_text="The change is still to come.")
    jurisdiction = JurisdictionRefSerializer()
    substance = serializers.CharField(source="substance.slug")
    previous_status = serializers.CharField(
        allow_null=True, help_text="The rule before; null: the jurisdiction had none."
    )
    previous_minimum_age = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(
        allow_null=True, help_text="The new rule; null: the rule ended with none after it."
    )
    minimum_age = serializers.IntegerField(allow_null=True)
    effective_until = LastDayInForceField(
        allow_null=True, help_text="Last day of the new rule; null: still in force."
    )
    summary = serializers.CharField()
    unverified = serializers.BooleanField()
    recorded_at = serializers.DateTimeField(help_text="When we recorded the entry.")

    def get_is_upcoming(self, change) -> bool:
        return change.is_upcoming(self.context["today"])


class ChangesQuerySerializer(serializers.Serializer):
    """The filters of /api/v1/changes/ (and of the changes page)."""

    within = serializers.RegexField(
        r"^ocd-division/country:",
        required=False,
        max_length=255,
        help_text="OCD id of a country or state: it and everything inside it.",
        error_messages={"invalid": "An OCD division id starts with ocd-division/country:."},
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        help_text="ISO 3166-1 alpha-2 code, e.g. US.",
        error_messages={"invalid": "A country is a two-letter ISO code, e.g. US."},
    )
    substance = serializers.ChoiceField(choices=["kratom", "7-oh"], required=False)
    status = serializers.ChoiceField(
        choices=[*LegalStatus.Status.values, "none"],
        required=False,
        help_text="The new status; none: a rule that ended with none after it.",
    )
    since = serializers.DateField(required=False, help_text="Changes on or after (YYYY-MM-DD).")
    until = serializers.DateField(required=False, help_text="Changes on or before (YYYY-MM-DD).")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError("since comes after until.")
        return attrs


# The lookup: one place on one date. These shape resolution's frozen dataclasses (and the
# PlaceMatch that found the place); they hold no rules.


class LookupQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        validators=[validate_place_query],
        help_text="A ZIP code, city, county, state, country, ISO code or OCD id: "
        "'92101', 'San Diego, CA', 'Sarasota County, Florida', 'Thailand', 'US-AL'.",
    )
    ocd_id = serializers.RegexField(
        r"^ocd-division/country:",
        required=False,
        max_length=255,
        help_text="An OCD division id instead of q, e.g. ocd-division/country:us/state:al.",
        error_messages={"invalid": "An OCD division id starts with ocd-division/country:."},
    )
    as_of = serializers.DateField(
        required=False, help_text="The day to answer for (YYYY-MM-DD); default: today."
    )
    substance = serializers.SlugField(
        required=False,
        max_length=20,
        help_text="Only this substance: kratom or 7-oh.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF gives each instance a deep copy of the declared fields, which builds every field
        # anew from its arguments: two thirds of the query check's 0.1-0.2 ms in a cold lookup.
        # Binding sets attributes on the instance's own copy only, and nothing here changes a
        # field in place, so a shallow copy keeps instances as separate.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("q", "").strip()) == bool(attrs.get("ocd_id")):
            raise serializers.ValidationError("Give either q (what to look up) or ocd_id.")
        return attrs


class PlaceRefSerializer(serializers.Serializer):
    """A jurisdiction: its Open Civic Data division id, name and level."""

    # Shapes a resolution JurisdictionRef or a Jurisdiction row alike.

    ocd_id = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class LookupSourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = BlankAsNullField()
    citation = BlankAsNullField()
    publisher = BlankAsNullField()
    kind = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)


class LayerSerializer(serializers.Serializer):
    """One layer of law (country, state, county, place) and its entry on the date.

    The entry's fields are null when the layer has no entry on that date.
    """

    ocd_id = serializers.CharField(source="jurisdiction.ocd_id")
    name = serializers.CharField(source="jurisdiction.name")
    level = serializers.CharField(source="jurisdiction.level")
    status = serializers.CharField(
        allow_null=True,
        help_text="What this layer's entry says; 'banned' for 7-OH under a kratom ban.",
    )
    minimum_age = serializers.IntegerField(allow_null=True)
    standing = serializers.CharField(
        help_text="applies, no_entry, outside_scope (a county entry that stops at city limits), "
        "start_date_unknown (not yet attested on that date: it does not decide) or other_part "
        "(the county of a smaller part of a place in several counties: it answers for that "
        "part, in elsewhere)."
    )
    effective_from = serializers.DateField(source="entry.effective_from", allow_null=True)
    effective_from_precision = BlankAsNullField(
        source="entry.effective_from_precision",
        allow_null=True,
        help_text="day, month or year: how much of effective_from is known.",
    )
    effective_until = LastDayInForceField(
        source="entry.effective_until",
        allow_null=True,
        help_text="Last day in force; null: until further notice.",
    )
    summary = serializers.CharField(source="entry.summary", allow_null=True)
    unverified = serializers.BooleanField(source="entry.unverified", default=False)
    last_verified_at = serializers.DateField(source="entry.last_verified_at", allow_null=True)
    stale = serializers.BooleanField(
        source="entry.has_open_flag", default=False, help_text="Flagged for review."
    )
    approximate = serializers.BooleanField(help_text="The place a ZIP code's postal city names.")
    applies_to = BlankAsNullField(
        allow_null=True,
        help_text="County entries: whole, unincorporated, or null (scope unknown; not a county).",
    )
    notes = serializers.ListField(child=serializers.CharField())
    assumptions = serializers.ListField(child=serializers.CharField())
    activities = activity_rules_field(source="entry.coding.by_activity", allow_null=True)
    minimum_age_applies_to = serializers.ListField(
        source="entry.coding.minimum_age_applies_to",
        child=serializers.ChoiceField(choices=ACTIVITIES),
        allow_null=True,
        help_text="The activities this layer's minimum age governs.",
    )
    product_limits = ProductLimitSerializer(
        source="entry.coding.product_limits",
        many=True,
        allow_null=True,
        help_text="Limits on products this layer's entry sets.",
    )
    penalty = BlankAsNullField(
        source="entry.coding.penalty", allow_null=True, help_text="Its penalty in plain words."
    )
    sources = LookupSourceSerializer(many=True)


class UpcomingChangeSerializer(serializers.Serializer):
    date = serializers.DateField()
    precision = serializers.CharField(help_text="day, month or year: how much of date is known.")
    ocd_id = serializers.CharField(source="jurisdiction.ocd_id")
    status = serializers.CharField(help_text="What the layer says from that date; may be unknown.")
    minimum_age = serializers.IntegerField(allow_null=True)


class ActivityAnswerSerializer(serializers.Serializer):
    """One activity, combined over the layers: the most restrictive layer that addresses it."""

    activity = serializers.ChoiceField(choices=ACTIVITIES)
    rule = serializers.ChoiceField(
        choices=RULES,
        help_text="prohibited > unknown > age_limited / conditions > allowed; not_addressed: no "
        "layer addresses it; unknown is never shown as allowed.",
    )
    decided_by = serializers.CharField(
        source="decided_by.ocd_id",
        allow_null=True,
        help_text="OCD id of the deciding layer; null when no layer applies or addresses it.",
    )
    minimum_age = serializers.IntegerField(
        allow_null=True, help_text="For age_limited or conditions: the highest age governing it."
    )


class ElsewhereSerializer(serializers.Serializer):
    where = serializers.CharField(
        help_text="In words: 'outside the town limits, in unincorporated Lee County'."
    )
    status = serializers.CharField()
    decided_by = serializers.CharField(
        source="decided_by.ocd_id", allow_null=True, help_text="OCD id of the deciding layer."
    )


class ResultSerializer(serializers.Serializer):
    substance = serializers.CharField(source="substance.slug")
    status = serializers.CharField(help_text="legal, regulated, restricted, banned or unknown.")
    minimum_age = serializers.IntegerField(
        allow_null=True, help_text="The highest minimum age of the layers that apply."
    )
    minimum_age_set_by = serializers.CharField(
        source="minimum_age_set_by.ocd_id",
        allow_null=True,
        help_text="OCD id of the layer whose entry sets minimum_age: a condition of that layer, "
        "which need not be the one that decides the status (decided_by).",
    )
    decided_by = serializers.CharField(
        source="decided_by.ocd_id", allow_null=True, help_text="OCD id of the deciding layer."
    )
    last_verified_at = serializers.DateField(allow_null=True)
    stale = serializers.BooleanField(help_text="A deciding entry is flagged for review.")
    unverified = serializers.BooleanField(help_text="The deciding entry is not yet confirmed.")
    assumptions = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the answer assumed: county_scope_unknown, zip_place_approximate, "
        "covered_by_kratom_ban, start_date_unknown.",
    )
    activities = ActivityAnswerSerializer(
        many=True,
        help_text="Each activity, in the order sale, possession, use, manufacture, "
        "distribution, import.",
    )
    layers = LayerSerializer(many=True)
    upcoming = UpcomingChangeSerializer(many=True)
    varies = serializers.BooleanField(
        help_text="The answer differs on the other side of a town limit or county line inside "
        "the ZIP code or place: see elsewhere."
    )
    strictest = serializers.CharField(
        help_text="The most restrictive answer anywhere in the ZIP code or place (for shippers)."
    )
    elsewhere = ElsewhereSerializer(
        many=True,
        help_text="The other sides of the ZIP code, or parts of the place in another county, "
        "where the answer differs.",
    )


class ZipCountySerializer(serializers.Serializer):
    ocd_id = serializers.CharField(source="county.ocd_id")
    name = serializers.CharField(source="county.name")
    land_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="Share of the ZIP's land, 0 to 1."
    )


class ZipCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    postal_city = serializers.CharField()
    state = PlaceRefSerializer()
    county = PlaceRefSerializer(allow_null=True)
    assumed_place = PlaceRefSerializer(
        source="place",
        allow_null=True,
        help_text="The place its postal city names; approximate (check the city limits).",
    )


class WorldCitySerializer(serializers.Serializer):
    """A city abroad, as GeoNames counts it."""

    name = serializers.CharField()
    population = serializers.IntegerField()


class LookupSerializer(serializers.Serializer):
    """The legal status of each substance in one place on one date, and why."""

    # The instance is {"answer": resolution.Answer, "match": geography.PlaceMatch}.

    as_of = serializers.DateField(source="answer.as_of")
    place = PlaceRefSerializer(source="answer.place")
    matched_by = serializers.CharField(
        source="match.matched_by",
        help_text="zip_code, ocd_id, ocd_alias, us_postal_code, iso_code or name.",
    )
    approximate = serializers.BooleanField(
        source="match.approximate", help_text="place is only the place a ZIP code's city names."
    )
    zip_code = ZipCodeSerializer(source="match.zip_code", allow_null=True)
    zip_counties = ZipCountySerializer(
        source="answer.zip_counties",
        many=True,
        help_text="For a ZIP code: every county of its area, largest share of its land first.",
    )
    alternatives = PlaceRefSerializer(
        source="match.alternatives",
        many=True,
        help_text="Other readings of a bare state or country name or two-letter code.",
    )
    city = WorldCitySerializer(
        source="match.city",
        allow_null=True,
        help_text="The city abroad q named (GeoNames, 15,000+ people), which has no entry of "
        "its own: place is the first-level division or country it lies in. Null otherwise.",
    )
    results = ResultSerializer(source="answer.results", many=True)


class ErrorSerializer(serializers.Serializer):
    """Why the request cannot be answered."""

    detail = serializers.CharField(help_text="Why, in words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The messages per query parameter (bad input only).",
    )
    suggestions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="No place matches: close names, best first ('Springfield, Illinois').",
    )


class PlaceCandidateSerializer(serializers.Serializer):
    """A place a name may mean, described so a reader can tell it from the others."""

    # Shapes a geography.Candidate.
    ocd_id = serializers.CharField(source="jurisdiction.ocd_id")
    name = serializers.CharField(source="jurisdiction.name")
    level = serializers.CharField(source="jurisdiction.level")
    kind = serializers.CharField(
        help_text="city, town, village, borough, township, unincorporated community, county, "
        "state, country, ..."
    )
    county = serializers.CharField(
        help_text="For a US place: the county holding most of its people; else empty."
    )
    state = serializers.CharField(help_text="Its state or first-level division; else empty.")
    population = serializers.IntegerField(
        allow_null=True,
        help_text="2020 Census population, where known; a city abroad's GeoNames population.",
    )
    city = serializers.CharField(
        help_text="A city abroad: its name (ocd_id and name are the division it lies in); "
        "else empty."
    )
    description = serializers.CharField(
        help_text="In words: 'Springfield — city in Sangamon County, Illinois, 114,394 people'."
    )


class AmbiguousPlaceSerializer(serializers.Serializer):
    """Several places match: ask again with one of their OCD ids, or add the state or country."""

    detail = serializers.CharField()
    matches = PlaceCandidateSerializer(many=True, help_text="Largest population first.")


class PlainTextListField(serializers.ListField):
    """A ListField of CharFields (blank allowed, kept as sent) that takes a list of plain ASCII
    strings as it is: what each CharField would make of such a string is the string itself,
    and a thousand of them cost 1.4 ms one field at a time. Any other item (a number, a NUL,
    a surrogate, non-ASCII text) goes through the CharFields and their messages."""

    def run_child_validation(self, data):
        if all(type(item) is str and item.isascii() and "\x00" not in item for item in data):
            return list(data)
        return super().run_child_validation(data)


class BulkLookupSerializer(serializers.Serializer):
    """A bulk lookup's request: the items, and optionally the day and one substance."""

    items = PlainTextListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        allow_empty=False,
        min_length=1,  # the schema says minItems: 1, as allow_empty=False enforces
        help_text="Up to 1,000 ZIP codes, OCD ids or place names. A bare JSON list is read as "
        "items; a CSV upload (text/csv body, or a file in the multipart field `file`) is read "
        "from its column named query, zip, zip_code or ocd_id, else its first column.",
    )
    as_of = serializers.DateField(
        required=False, help_text="The day to answer for (YYYY-MM-DD); default: today."
    )
    substance = serializers.SlugField(
        required=False, max_length=20, help_text="Only this substance: kratom or 7-oh."
    )


class BulkResultSerializer(serializers.Serializer):
    substance = serializers.CharField()
    status = serializers.CharField(help_text="legal, regulated, restricted, banned or unknown.")
    strictest = serializers.CharField(
        help_text="The most restrictive answer anywhere in a ZIP code; the status elsewhere."
    )
    varies = serializers.BooleanField(
        help_text="The ZIP code's sides (town limits, county lines) answer differently."
    )
    minimum_age = serializers.IntegerField(allow_null=True)
    minimum_age_set_by = serializers.CharField(
        allow_null=True, help_text="OCD id of the layer that sets the minimum age."
    )
    decided_by = serializers.CharField(
        allow_null=True, help_text="OCD id of the deciding layer; null when unknown."
    )
    due_for_rechecking = serializers.BooleanField(
        help_text="A deciding entry is flagged for a curator's review."
    )
    unverified = serializers.BooleanField(help_text="The deciding entry is not yet confirmed.")
    last_verified_at = serializers.DateField(allow_null=True)


class BulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why this item has no answer.")
    matches = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="Several places match: each one's ocd_id and description, largest first.",
    )
    suggestions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Close names, best first."
    )


class BulkItemSerializer(serializers.Serializer):
    """One item's answer, or its error (then only query and error)."""

    # Documents the shape legality.bulk.items_data builds (plain dicts are faster for 1,000).
    query = serializers.CharField(help_text="The item as given.")
    place = PlaceRefSerializer(required=False)
    matched_by = serializers.CharField(required=False)
    zip_code = serializers.CharField(required=False, allow_null=True)
    approximate = serializers.BooleanField(
        required=False, help_text="place is only the place a ZIP code's city names."
    )
    as_of = serializers.DateField(required=False)
    results = BulkResultSerializer(many=True, required=False)
    error = BulkErrorSerializer(required=False)


class BulkAnswerSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    errors = serializers.IntegerField(help_text="How many items have an error.")
    items = BulkItemSerializer(many=True, help_text="In the order given.")
