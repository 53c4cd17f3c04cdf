"""find_place: ZIP codes, OCD ids and aliases, codes and names, never a guess."""

import pytest

from legality.geography import AmbiguousPlace, MatchedBy, UnknownPlace, find_place
from tests.factories import ZipCodeFactory
from tests.geo_factories import (
    JurisdictionNameFactory,
    NamedCountryFactory,
    NamedCountyFactory,
    NamedPlaceFactory,
    OcdAliasFactory,
    SubdivisionFactory,
    UsStateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def california():
    return UsStateFactory(name="California", postal_code="CA")


@pytest.fixture
def florida():
    return UsStateFactory(name="Florida", postal_code="FL")


@pytest.fixture
def texas():
    return UsStateFactory(name="Texas", postal_code="TX")


# ZIP codes


def test_zip_code_finds_its_place_approximately_with_its_county_and_state(california):
    county = NamedCountyFactory(parent=california, name="San Diego County")
    city = NamedPlaceFactory(parent=california, name="San Diego", counties=[county])
    ZipCodeFactory(code="92101", state=california, county=county, place=city)

    match = find_place(" 92101 ")

    assert match.jurisdiction == city
    assert match.approximate
    assert match.matched_by == MatchedBy.ZIP_CODE
    assert (match.zip_code.county, match.zip_code.state) == (county, california)


def test_zip_code_without_a_place_is_its_county_certainly(california):
    county = NamedCountyFactory(parent=california, name="San Diego County")
    ZipCodeFactory(code="91901", state=california, county=county, place=None)

    match = find_place("91901")

    assert match.jurisdiction == county
    assert not match.approximate


def test_zip_plus_four_reads_as_its_zip_code(california):
    county = NamedCountyFactory(parent=california, name="San Diego County")
    ZipCodeFactory(code="92101", state=california, county=county)

    assert find_place("92101-1234").zip_code.code == "92101"


def test_unknown_zip_code_is_an_unknown_place(california):
    with pytest.raises(UnknownPlace, match="ZIP code"):
        find_place("00000")


# OCD division ids


def test_ocd_id_finds_its_division(california):
    city = NamedPlaceFactory(parent=california, name="San Diego")

    match = find_place(" OCD-Division/country:us/state:ca/place:san_diego ")

    assert match.jurisdiction == city
    assert match.matched_by == MatchedBy.OCD_ID


def test_ocd_alias_finds_the_canonical_division():
    denver = NamedCountyFactory(
        parent=UsStateFactory(name="Colorado", postal_code="CO"), name="Denver County"
    )
    OcdAliasFactory(jurisdiction=denver, ocd_id="ocd-division/country:us/state:co/place:denver")

    match = find_place("ocd-division/country:us/state:co/place:denver")

    assert match.jurisdiction == denver
    assert match.matched_by == MatchedBy.OCD_ALIAS


def test_unknown_ocd_id_is_an_unknown_place(california):
    with pytest.raises(UnknownPlace):
        find_place("ocd-division/country:us/state:ca/place:atlantis")


# Names


def test_name_with_a_postal_code_picks_the_place_in_that_state(california, texas):
    city = NamedPlaceFactory(parent=california, name="San Diego")
    NamedPlaceFactory(parent=texas, name="San Diego")

    assert find_place("San Diego, CA").jurisdiction == city


def test_name_with_state_and_country_names(california, texas):
    city = NamedPlaceFactory(parent=california, name="San Diego")
    NamedPlaceFactory(parent=texas, name="San Diego")

    assert find_place("san diego, California, United States").jurisdiction == city


def test_name_of_several_places_returns_the_candidates_not_a_guess(california, texas):
    in_california = NamedPlaceFactory(parent=california, name="San Diego")
    in_texas = NamedPlaceFactory(parent=texas, name="San Diego")

    with pytest.raises(AmbiguousPlace) as raised:
        find_place("San Diego")

    assert set(raised.value.candidates) == {in_california, in_texas}
    assert "several places" in str(raised.value)


def test_a_city_beats_a_county_of_its_name_unless_the_reader_says_county(california):
    city = NamedPlaceFactory(parent=california, name="San Diego")
    county = NamedCountyFactory(parent=california, name="San Diego")  # stored without "County"

    match = find_place("San Diego, CA")

    assert (match.jurisdiction, match.alternatives) == (city, (county,))
    assert find_place("San Diego County, CA").jurisdiction == county


def test_county_name_with_its_state_name(florida):
    county = NamedCountyFactory(parent=florida, name="Sarasota County")
    NamedPlaceFactory(parent=florida, name="Sarasota")

    assert find_place("Sarasota County, Florida").jurisdiction == county


def test_county_word_finds_a_county_stored_without_it(florida):
    county = NamedCountyFactory(parent=florida, name="Sarasota")
    NamedPlaceFactory(
        parent=florida, name="Sarasota", ocd_id="ocd-division/country:us/state:fl/place:sarasota"
    )

    assert find_place("sarasota county, fl").jurisdiction == county


def test_census_suffix_of_a_place_is_optional(california):
    city = NamedPlaceFactory(parent=california, name="San Diego")

    assert find_place("San Diego city, CA").jurisdiction == city


def test_names_ignore_case_accents_and_extra_spaces():
    colorado = UsStateFactory(name="Colorado", postal_code="CO")
    town = NamedPlaceFactory(parent=colorado, name="Cañon City")

    assert find_place("  CANON   city ,   co ").jurisdiction == town
    assert find_place("cañon city, Colorado").jurisdiction == town


def test_alternate_name_finds_its_jurisdiction(california):
    city = NamedPlaceFactory(parent=california, name="San Diego")
    JurisdictionNameFactory(jurisdiction=california, name="Calif.")

    assert find_place("Calif.").jurisdiction == california
    assert find_place("San Diego, Calif.").jurisdiction == city


def test_unknown_name_is_an_unknown_place(california):
    with pytest.raises(UnknownPlace):
        find_place("Atlantis")


def test_unknown_state_in_a_name_is_an_unknown_place(california):
    NamedPlaceFactory(parent=california, name="San Diego")

    with pytest.raises(UnknownPlace, match="Californa"):
        find_place("San Diego, Californa")


def test_empty_query_is_an_unknown_place():
    with pytest.raises(UnknownPlace):
        find_place("  , ")


# Bare names and codes of countries and US states


def test_bare_state_name_means_the_state_and_lists_the_towns_as_alternatives(florida):
    new_york = UsStateFactory(name="New York", postal_code="NY")
    town = NamedPlaceFactory(parent=new_york, name="Florida")

    match = find_place("Florida")

    assert match.jurisdiction == florida
    assert match.matched_by == MatchedBy.NAME
    assert match.alternatives == (town,)


def test_bare_country_name_means_the_country():
    sweden = NamedCountryFactory(name="Sweden", iso_code="SE")
    maine = UsStateFactory(name="Maine", postal_code="ME")
    town = NamedPlaceFactory(parent=maine, name="Sweden")

    match = find_place("sweden")

    assert match.jurisdiction == sweden
    assert match.alternatives == (town,)


def test_name_of_a_country_and_a_state_returns_both():
    country = NamedCountryFactory(name="Georgia", iso_code="GE")
    state = UsStateFactory(name="Georgia", postal_code="GA")

    with pytest.raises(AmbiguousPlace) as raised:
        find_place("Georgia")

    assert raised.value.candidates == (country, state)


def test_state_qualifier_settles_a_name_of_a_country_and_a_state():
    NamedCountryFactory(name="Georgia", iso_code="GE")
    state = UsStateFactory(name="Georgia", postal_code="GA")

    assert find_place("Georgia, US").jurisdiction == state


def test_iso_country_code_means_the_country():
    thailand = NamedCountryFactory(name="Thailand", iso_code="TH")

    match = find_place("TH")

    assert match.jurisdiction == thailand
    assert match.matched_by == MatchedBy.ISO_CODE


def test_iso_subdivision_code_means_the_subdivision():
    alabama = UsStateFactory(name="Alabama", postal_code="AL")
    bangkok = SubdivisionFactory(name="Bangkok", iso_code="TH-10")

    assert find_place("US-AL").jurisdiction == alabama
    assert find_place("us-al").matched_by == MatchedBy.ISO_CODE
    assert find_place("th-10").jurisdiction == bangkok


def test_two_letter_code_is_a_us_postal_code_first_and_says_the_other_reading(california):
    canada = NamedCountryFactory(name="Canada", iso_code="CA")

    match = find_place("ca")

    assert match.jurisdiction == california
    assert match.matched_by == MatchedBy.US_POSTAL_CODE
    assert match.alternatives == (canada,)


def test_indiana_not_india():
    india = NamedCountryFactory(name="India", iso_code="IN")
    indiana = UsStateFactory(name="Indiana", postal_code="IN")

    match = find_place("IN")

    assert (match.jurisdiction, match.alternatives) == (indiana, (india,))


def test_subdivision_name_of_another_country_with_its_country():
    bangkok = SubdivisionFactory(name="Bangkok", iso_code="TH-10")

    assert find_place("Bangkok, Thailand").jurisdiction == bangkok
    assert find_place("Bangkok, TH").jurisdiction == bangkok


# Queries


@pytest.mark.parametrize(
    "query",
    [
        "92101",
        "ocd-division/country:us/state:ca/place:san_diego",
        "San Diego, California, US",
        "CA",
    ],
)
def test_each_lookup_is_one_query(california, django_assert_num_queries, query):
    county = NamedCountyFactory(parent=california, name="San Diego County")
    city = NamedPlaceFactory(parent=california, name="San Diego", counties=[county])
    ZipCodeFactory(code="92101", state=california, county=county, place=city)
    NamedCountryFactory(name="Canada", iso_code="CA")

    # 1 the ZIP code with its place, county and state; or the division by OCD id or alias; or
    #   every jurisdiction named or coded like a part of the query, with its parent chain
    with django_assert_num_queries(1):
        find_place(query)


def test_name_with_a_comma_of_its_own_is_tried_whole_first():
    korea = NamedCountryFactory(name="South Korea", iso_code="KR")
    JurisdictionNameFactory(jurisdiction=korea, name="Korea, Republic of")

    assert find_place("Korea,  Republic of").jurisdiction == korea


def test_county_whose_name_adds_the_word_is_found_when_nothing_else_is():
    hawaii = UsStateFactory(name="Hawaii", postal_code="HI")
    honolulu = NamedCountyFactory(parent=hawaii, name="Honolulu County")

    assert find_place("Honolulu").jurisdiction == honolulu


def test_town_is_found_before_the_county_of_the_same_name(florida):
    NamedCountyFactory(parent=florida, name="Sarasota County")
    town = NamedPlaceFactory(parent=florida, name="Sarasota")

    assert find_place("Sarasota").jurisdiction == town
