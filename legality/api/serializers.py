"""Shapes of the public API. Internal notes and unpublished entries never pass through here."""

from datetime import date, timedelta

from rest_framework import serializers

from legality.models import Jurisdiction, LegalStatus, Source


class LastDayInForceField(serializers.DateField):
    """The model stores the first day an entry no longer applies; the public sees the last day."""

    def to_representation(self, value: date | None) -> str | None:
        return super().to_representation(value - timedelta(days=1)) if value else None


class BlankAsNullField(serializers.CharField):
    def to_representation(self, value: str) -> str | None:
        return value or None


class JurisdictionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["ocd_id", "name", "level"]


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="ocd_id", read_only=True)
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
            "sources",
        ]


class StatusChangeSerializer(serializers.Serializer):
    """One recorded change of a published entry, from its history."""

    changed_at = serializers.DateTimeField(source="history_date")
    change = serializers.SerializerMethodField()
    jurisdiction = JurisdictionRefSerializer()
    substance = serializers.CharField(source="substance.slug")
    status = serializers.CharField()
    minimum_age = serializers.IntegerField(allow_null=True)
    effective_from = serializers.DateField(allow_null=True)
    effective_until = LastDayInForceField(allow_null=True)
    summary = serializers.CharField()
    unverified = serializers.BooleanField()

    _CHANGES = {"+": "created", "~": "changed", "-": "deleted"}

    def get_change(self, record) -> str:
        return self._CHANGES[record.history_type]
