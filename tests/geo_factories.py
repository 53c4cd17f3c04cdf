"""Geography as the loader writes it: real-looking OCD ids, ISO codes and normalised names.

tests/factories.py makes valid rows; these make rows that lookups by name, code and OCD id can
find ("Sarasota County, Florida", "US-AL", "TH").
"""

import factory

from legality.geography import normalize_name
from legality.models import JurisdictionName, OcdAlias, PlaceCounty
from tests.factories import CountryFactory, CountyFactory, PlaceFactory, StateFactory


def ocd_slug(name: str) -> str:
    """'St. Mary's' -> 'st._mary~s': lower case, spaces to _, apostrophe to ~ (OCD's rules)."""
    return normalize_name(name).replace(" ", "_").replace("'", "~")


class NamedCountryFactory(CountryFactory):
    """A country by ISO 3166-1 code: ocd-division/country:th."""

    name = "Thailand"
    iso_code = "TH"
    country_code = factory.SelfAttribute("iso_code")
    ocd_id = factory.LazyAttribute(lambda o: f"ocd-division/country:{o.iso_code.lower()}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))


class UsStateFactory(StateFactory):
    """A US state by postal code: ocd-division/country:us/state:ca, ISO code US-CA."""

    class Params:
        postal_code = "CA"

    name = "California"
    iso_code = factory.LazyAttribute(lambda o: f"US-{o.postal_code}")
    ocd_id = factory.LazyAttribute(lambda o: f"{o.parent.ocd_id}/state:{o.postal_code.lower()}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))


class SubdivisionFactory(StateFactory):
    """A first-level subdivision of another country, e.g. Bavaria (DE-BY)."""

    parent = factory.SubFactory(NamedCountryFactory)
    name = "Bangkok"
    iso_code = "TH-10"
    country_code = factory.SelfAttribute("parent.country_code")
    division_type = "province"
    ocd_id = factory.LazyAttribute(lambda o: f"{o.parent.ocd_id}/province:{ocd_slug(o.name)}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))


class NamedCountyFactory(CountyFactory):
    """A county named as the census names it ("Sarasota County"), id county:sarasota."""

    parent = factory.SubFactory(UsStateFactory)
    name = "Sarasota County"
    ocd_id = factory.LazyAttribute(
        lambda o: f"{o.parent.ocd_id}/county:{ocd_slug(o.name.removesuffix(' County'))}"
    )
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))


class NamedPlaceFactory(PlaceFactory):
    """A place named without its census suffix ("San Diego"), with the counties it lies in."""

    class Meta:
        skip_postgeneration_save = True

    parent = factory.SubFactory(UsStateFactory)
    name = "San Diego"
    official_name = factory.LazyAttribute(lambda o: f"{o.name} city")
    ocd_id = factory.LazyAttribute(lambda o: f"{o.parent.ocd_id}/place:{ocd_slug(o.name)}")
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    is_incorporated = True

    @factory.post_generation
    def counties(self, create, extracted, **kwargs):
        # Largest population first, as the census lists them.
        for position, county in enumerate(extracted or () if create else ()):
            PlaceCounty.objects.create(place=self, county=county, position=position)


class JurisdictionNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JurisdictionName

    jurisdiction = factory.SubFactory(UsStateFactory)
    name = "Calif."
    search_name = factory.LazyAttribute(lambda o: normalize_name(o.name))


class OcdAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OcdAlias

    jurisdiction = factory.SubFactory(NamedCountyFactory)
    ocd_id = factory.LazyAttribute(lambda o: o.jurisdiction.ocd_id.replace("/county:", "/place:"))
    note = "Consolidated city-county."
