"""Where a law applies: jurisdictions by OCD division id, their names, aliases and ZIP codes."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class JurisdictionQuerySet(models.QuerySet):
    def countries(self) -> "JurisdictionQuerySet":
        return self.filter(level=Jurisdiction.Level.COUNTRY)

    def us_states(self) -> "JurisdictionQuerySet":
        """US states, DC and the territories: the level below ocd-division/country:us."""
        return self.filter(level=Jurisdiction.Level.STATE, country_code="US")


class PlaceKind(models.TextChoices):
    """What the Census says a place is (the gazetteer's `kind`)."""

    INCORPORATED = "incorporated_place", "municipality"
    CENSUS_DESIGNATED = "census_designated_place", "unincorporated community"
    COUNTY_SUBDIVISION = "county_subdivision", "town or township"
    FORMER = "former_incorporated_place", "former municipality"


class Jurisdiction(models.Model):
    """A country, first-level subdivision, county-level division or place, named by OCD id."""

    class Level(models.TextChoices):
        COUNTRY = "country", "country"
        STATE = "state", "state"  # first level: state, DC, territory, province, region, ...
        COUNTY = "county", "county"  # second level: county, parish, borough, census area, ...
        PLACE = "place", "place"  # city, town, village, township

    ocd_id = models.CharField(
        max_length=255,
        unique=True,
        help_text="Open Civic Data division id, "
        "e.g. ocd-division/country:us/state:ca/place:san_diego.",
    )
    is_official_ocd_id = models.BooleanField(
        default=True,
        help_text="False when the id was built by this project from an ISO 3166-2 code because "
        "the OCD list has no division for it.",
    )
    name = models.CharField(max_length=200, help_text="Name as people write it, e.g. San Diego.")
    official_name = models.CharField(
        max_length=200, blank=True, help_text="Name in the source list, e.g. 'San Diego city'."
    )
    search_name = models.CharField(
        max_length=200,
        db_index=True,
        help_text="The name lower-cased, without accents or extra spaces, for lookups.",
    )
    level = models.CharField(max_length=10, choices=Level.choices, help_text="Layer of law.")
    division_type = models.CharField(
        max_length=40,
        help_text="The OCD type of the last id segment: state, district, territory, county, "
        "parish, borough, census_area, municipio, place, province, ...",
    )
    # PROTECT: removing a country or state must never silently remove the places below it.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The enclosing jurisdiction in the OCD nesting (a place's parent is its state).",
    )
    country_code = models.CharField(
        max_length=2, db_index=True, help_text="ISO 3166-1 alpha-2 code of the country, e.g. US."
    )
    iso_code = models.CharField(
        max_length=10,
        blank=True,
        db_index=True,
        help_text="ISO 3166-1 alpha-2 for a country (TH), ISO 3166-2 for a subdivision (US-CA).",
    )
    census_geoid = models.CharField(
        max_length=10,
        blank=True,
        db_index=True,
        help_text="US Census GEOID: 2-digit state FIPS, 5-digit county FIPS, 7-digit place code or "
        "10-digit county subdivision code.",
    )
    is_incorporated = models.BooleanField(
        null=True,
        blank=True,
        help_text="Places: True for an incorporated municipality (city, town, village, borough "
        "with a Census place code); empty where the data does not say (e.g. townships).",
    )
    place_kind = models.CharField(
        max_length=30,
        blank=True,
        choices=PlaceKind.choices,
        help_text="Places: what the 2020 Census says the place is (a municipality, an "
        "unincorporated community, a town or township, or a place that no longer exists); "
        "empty where it says nothing.",
    )
    population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Places: 2020 Census population (a 2021 estimate for some townships).",
    )
    latitude = models.FloatField(
        null=True, blank=True, help_text="Places: a point in the place, WGS84 decimal degrees."
    )
    longitude = models.FloatField(
        null=True, blank=True, help_text="Places: a point in the place, WGS84 decimal degrees."
    )
    counties = models.ManyToManyField(
        "self",
        through="PlaceCounty",
        through_fields=("place", "county"),
        symmetrical=False,
        blank=True,
        related_name="places_within",
        help_text="For a place: the county-level divisions it lies in (2020 Census), largest "
        "population first.",
    )

    objects = JurisdictionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        ordering = ["ocd_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["country", "state", "county", "place"]),
                name="jurisdiction_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(ocd_id__startswith="ocd-division/country:"),
                name="jurisdiction_ocd_id_is_a_division",
            ),
            models.CheckConstraint(
                condition=Q(place_kind__in=["", *PlaceKind.values]),
                name="jurisdiction_place_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="jurisdiction_point_is_whole_and_on_earth",
            ),
            models.CheckConstraint(
                condition=Q(level="country", parent__isnull=True)
                | (~Q(level="country") & Q(parent__isnull=False)),
                name="jurisdiction_only_countries_have_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def us_postal_code(self) -> str:
        """'CA' for California: the second half of a US first-level ISO 3166-2 code."""
        if self.level == self.Level.STATE and self.iso_code.startswith("US-"):
            return self.iso_code[3:]
        return ""


class PlaceCounty(models.Model):
    """A county-level division a place lies in, in the order of its share of the place's people."""

    # CASCADE: the link is derived data; it goes with either end.
    place = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="county_links", help_text="The place."
    )
    county = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="place_links",
        help_text="A county-level division the place lies in.",
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text="0 for the county holding most of the place's people, then 1, 2, ... "
        "(2020 Census population order).",
    )
    has_residents = models.BooleanField(
        default=True,
        help_text="False for a part of the place with no residents in the 2020 Census: it is "
        "noted on the place's page, not counted as a layer of law.",
    )

    class Meta:
        ordering = ["place", "position"]
        constraints = [
            models.UniqueConstraint(fields=["place", "county"], name="placecounty_once_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} in {self.county_id}"


class JurisdictionName(models.Model):
    """Another name or code that finds a jurisdiction: 'PR' for Puerto Rico, a former name.

    A row with a `population` is the name of a city abroad (GeoNames, 15,000+ people), which is
    not a jurisdiction of its own: the name leads to the first-level division or country it
    lies in, and its people rank it among places of the same name.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="alternate_names"
    )
    name = models.CharField(max_length=200, help_text="The alternate name or code.")
    search_name = models.CharField(max_length=200, db_index=True, help_text="Normalised name.")
    population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="For the name of a city abroad that lies in this jurisdiction: the city's "
        "people (GeoNames). Empty for the jurisdiction's own other names.",
    )
    needs_qualifier = models.BooleanField(
        default=False,
        help_text="A city abroad's other name that a place of our own also has ('Cologne' for "
        "Köln; Cologne, Minnesota): it finds the city only with its country or division named "
        "('Cologne, Germany').",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "search_name"],
                name="jurisdictionname_once_per_jurisdiction",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OcdAlias(models.Model):
    """A non-canonical OCD id (from the OCD alias list) and the division it stands for."""

    ocd_id = models.CharField(max_length=255, unique=True, help_text="The non-canonical id.")
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="ocd_aliases",
        help_text="The canonical division, e.g. state:co/county:denver for state:co/place:denver.",
    )
    note = models.CharField(max_length=255, blank=True, help_text="Why the alias exists.")

    class Meta:
        verbose_name = "OCD alias"
        verbose_name_plural = "OCD aliases"

    def __str__(self) -> str:
        return self.ocd_id


class ZipCode(models.Model):
    """A US ZIP code: certain for its state and county, approximate for its place."""

    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{5}$", "A ZIP code is five digits.")],
        help_text="Five-digit ZIP code.",
    )
    postal_city = models.CharField(max_length=100, help_text="The USPS city name of the ZIP.")
    # PROTECT: a ZIP code keeps its state and county; geography is not deleted under it.
    state = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="State, DC or territory.",
    )
    county = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="zip_codes",
        help_text="The primary county-level division of the ZIP (null where the data has none).",
    )
    place = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approximate_zip_codes",
        help_text="The place its postal city names, when exactly one place in its county or state "
        "has that name. Approximate: a postal city is not always the municipality.",
    )

    class Meta:
        verbose_name = "ZIP code"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ZipCodeCounty(models.Model):
    """A county-level division a ZIP code's area lies in, with its share of the area's land.

    From the Census 2020 ZCTA-to-county file. ZIP codes with no area of their own (PO boxes)
    have none: their ZipCode.county (from the `zipcodes` package) is all that is known.
    """

    # CASCADE: derived data; it goes with the ZIP code or the county.
    zip_code = models.ForeignKey(
        ZipCode, on_delete=models.CASCADE, related_name="county_shares", help_text="The ZIP code."
    )
    county = models.ForeignKey(
        Jurisdiction,
        on_delete=models.CASCADE,
        related_name="zip_code_shares",
        help_text="A county-level division the ZIP code's area lies in.",
    )
    land_share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        help_text="Share of the ZIP code area's land in this county, 0 to 1 (not of its people).",
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text="0 for the county the Census names the area's primary one, then 1, 2...",
    )

    class Meta:
        ordering = ["zip_code", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["zip_code", "county"], name="zipcodecounty_once_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(land_share__gte=0, land_share__lte=1),
                name="zipcodecounty_land_share_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zip_code_id} in {self.county_id}"
