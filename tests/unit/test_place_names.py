"""Reading what people type: forms of a name, kinds of places, and which one a reader means."""

import pytest

from legality.gazetteer.world import country_common_names
from legality.geography import AmbiguousPlace, UnknownPlace, find_place, normalize_name
from legality.models import PlaceKind
from tests.geo_factories import (
    NamedCountryFactory,
    NamedCountyFactory,
    NamedPlaceFactory,
    SubdivisionFactory,
    UsStateFactory,
)

pytestmark = pytest.mark.django_db

US = "ocd-division/country:us"


@pytest.fixture
def illinois():
    return UsStateFactory(name="Illinois", postal_code="IL")


@pytest.fixture
def sangamon(illinois):
    return NamedCountyFactory(parent=illinois, name="Sangamon County")


def township(state, county, name, **fields):
    return NamedPlaceFactory(
        parent=state,
        name=name,
        official_name=f"{name} township",
        ocd_id=f"{county.ocd_id}/place:{name.lower().replace(' ', '_')}",
        place_kind=PlaceKind.COUNTY_SUBDIVISION,
        is_incorporated=None,
        counties=[county],
        **fields,
    )


def test_names_fold_as_the_gazetteer_readme_says():
    assert normalize_name("Saint Louis") == normalize_name("St. Louis") == "st louis"
    assert normalize_name("Fort Worth") == normalize_name("Ft. Worth") == "ft worth"
    assert normalize_name("Mount Vernon") == normalize_name("Mt Vernon") == "mt vernon"
    assert normalize_name("Winston-Salem") == normalize_name("winston salem")
    assert normalize_name("Coeur d'Alene") == "coeur dalene"
    assert normalize_name("Cañon  City") == "canon city"


@pytest.mark.parametrize(
    "query",
    [
        "Springfield, IL",
        "Springfield IL",
        "Springfield Illinois",
        "springfield, illinois, us",
        "Springfield, Ill.",  # an alternate name of the state, below
        "SPRINGFIELD  IL",
        "City of Springfield, IL",
        "Springfield city, IL",
    ],
)
def test_typing_forms_find_the_city(query, illinois, sangamon):
    illinois.alternate_names.create(name="Ill.", search_name=normalize_name("Ill."))
    city = NamedPlaceFactory(parent=illinois, name="Springfield", counties=[sangamon])
    township(illinois, sangamon, "Springfield")

    assert find_place(query).jurisdiction == city


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("St. Louis", "Saint Louis, MO"),
        ("St. Louis", "St Louis MO"),
        ("Fort Worth", "Ft. Worth, MO"),
        ("Mount Vernon", "Mt Vernon MO"),
        ("Winston-Salem", "Winston Salem, Missouri"),
    ],
)
def test_saint_fort_mount_and_hyphens(stored, query):
    missouri = UsStateFactory(name="Missouri", postal_code="MO")
    place = NamedPlaceFactory(parent=missouri, name=stored, ocd_id=f"{missouri.ocd_id}/place:x")

    assert find_place(query).jurisdiction == place


def test_a_city_beats_a_same_name_township_unless_the_reader_says_township(illinois, sangamon):
    city = NamedPlaceFactory(parent=illinois, name="Springfield", counties=[sangamon])
    the_township = township(illinois, sangamon, "Springfield")

    match = find_place("Springfield, IL")

    assert (match.jurisdiction, match.alternatives) == (city, (the_township,))
    assert find_place("Springfield Township, IL").jurisdiction == the_township


def test_a_city_beats_a_same_name_county_and_community(illinois, sangamon):
    county = NamedCountyFactory(parent=illinois, name="Boone County")
    city = NamedPlaceFactory(parent=illinois, name="Boone", counties=[county])
    community = NamedPlaceFactory(
        parent=illinois,
        name="Boone",
        ocd_id=f"{illinois.ocd_id}/census_place:1700001",
        place_kind=PlaceKind.CENSUS_DESIGNATED,
        is_incorporated=False,
    )

    match = find_place("Boone, IL")

    assert match.jurisdiction == city
    assert set(match.alternatives) == {county, community}
    assert find_place("Boone County, IL").jurisdiction == county


def test_a_name_the_census_lengthens_is_found_short_after_exact_names():
    idaho = UsStateFactory(name="Idaho", postal_code="ID")
    boise_county = NamedCountyFactory(parent=idaho, name="Boise County")
    ada = NamedCountyFactory(parent=idaho, name="Ada County")
    boise = NamedPlaceFactory(parent=idaho, name="Boise City", counties=[ada])
    massachusetts = UsStateFactory(name="Massachusetts", postal_code="MA")
    methuen = NamedPlaceFactory(parent=massachusetts, name="Methuen Town")

    match = find_place("Boise, ID")

    assert (match.jurisdiction, match.alternatives) == (boise, (boise_county,))
    assert find_place("Boise City, ID").jurisdiction == boise
    assert find_place("Methuen, MA").jurisdiction == methuen


def test_several_real_places_are_candidates_largest_first_in_words(illinois, sangamon):
    missouri = UsStateFactory(name="Missouri", postal_code="MO")
    greene = NamedCountyFactory(parent=missouri, name="Greene County")
    small = NamedPlaceFactory(
        parent=illinois, name="Springfield", population=114_394, counties=[sangamon]
    )
    large = NamedPlaceFactory(
        parent=missouri, name="Springfield", population=169_176, counties=[greene]
    )
    township(illinois, sangamon, "Springfield")  # a township does not make it more ambiguous

    with pytest.raises(AmbiguousPlace) as raised:
        find_place("Springfield")

    assert raised.value.candidates == (large, small)
    assert [c.description for c in raised.value.described] == [
        "Springfield — city in Greene County, Missouri, 169,176 people",
        "Springfield — city in Sangamon County, Illinois, 114,394 people",
    ]


def test_two_ocd_rows_of_one_census_place_are_one_place():
    indiana = UsStateFactory(name="Indiana", postal_code="IN")
    marion = NamedCountyFactory(parent=indiana, name="Marion County")
    city = NamedPlaceFactory(parent=indiana, name="Indianapolis", census_geoid="1836003")
    NamedPlaceFactory(
        parent=indiana,
        name="Indianapolis",
        census_geoid="1836003",
        ocd_id=f"{marion.ocd_id}/place:indianapolis",
    )

    assert find_place("Indianapolis").jurisdiction == city
    assert find_place("Indianapolis IN").jurisdiction == city


def test_a_qualifier_that_names_no_state_is_an_unknown_place(illinois):
    NamedPlaceFactory(parent=illinois, name="Springfield")

    with pytest.raises(UnknownPlace, match="Ilinois"):
        find_place("Springfield, Ilinois")
    with pytest.raises(UnknownPlace):
        find_place("Springfield Ilinois")


def test_a_state_name_is_not_read_as_a_town_with_a_state(illinois):
    new_jersey = UsStateFactory(name="New Jersey", postal_code="NJ")
    NamedCountryFactory(name="Jersey", iso_code="JE")
    town = NamedPlaceFactory(parent=new_jersey, name="Springfield")

    assert find_place("Springfield New Jersey").jurisdiction == town
    assert find_place("New Jersey").jurisdiction == new_jersey


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("Springfield, IL", 1),
        ("Springfield Illinois", 1),
        ("a, b, c, d", 1),  # "we know no state called b": nothing to suggest
        ("x " * 11 + "x", 2),  # nothing: one more query for "Did you mean"
        (", , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , , ,", 0),
        ("Springfield, " * 40, 0),  # more than 4 parts is no place: no query at all
        ("x " * 200, 0),
    ],
)
def test_a_name_lookup_costs_a_constant_number_of_queries_whatever_the_input(
    query, queries, illinois, django_assert_num_queries
):
    NamedPlaceFactory(parent=illinois, name="Springfield")

    # 1 every jurisdiction named (own or alternate name) or coded like a part of a reading of
    #   the query, with its parent chain; 2 when nothing matches, the names close to it
    with django_assert_num_queries(queries):
        try:
            find_place(query)
        except UnknownPlace:
            pass


def test_an_ambiguous_name_costs_one_more_query_to_describe_the_candidates(
    illinois, django_assert_num_queries
):
    missouri = UsStateFactory(name="Missouri", postal_code="MO")
    NamedPlaceFactory(parent=illinois, name="Springfield")
    NamedPlaceFactory(parent=missouri, name="Springfield")

    # 1 the jurisdictions named like the query, 2 the county holding most of each candidate's people
    with django_assert_num_queries(2), pytest.raises(AmbiguousPlace):
        find_place("Springfield")


# The world


def test_common_short_and_former_country_names_come_from_countryinfo():
    names = country_common_names()
    for code, name in [
        ("GB", "UK"),
        ("GB", "Great Britain"),
        ("NL", "Holland"),
        ("RU", "Russia"),
        ("MM", "Burma"),
        ("AE", "UAE"),
        ("CI", "Ivory Coast"),
        ("CZ", "Czech Republic"),
        ("KR", "Korea"),
        ("KP", "Korea"),
    ]:
        assert name in names[code], (code, name)


def test_a_country_name_beats_towns_and_korea_is_both_koreas(illinois):
    russia = NamedCountryFactory(name="Russia", iso_code="RU")
    town = NamedPlaceFactory(parent=illinois, name="Russia")
    south = NamedCountryFactory(name="South Korea", iso_code="KR")
    north = NamedCountryFactory(name="North Korea", iso_code="KP")
    for country in (south, north):
        country.alternate_names.create(name="Korea", search_name="korea")

    match = find_place("Russia")

    assert (match.jurisdiction, match.alternatives) == (russia, (town,))
    with pytest.raises(AmbiguousPlace) as raised:
        find_place("Korea")
    assert set(raised.value.candidates) == {south, north}


# Typos


def test_a_typo_offers_close_names_in_the_state_named(illinois, django_assert_num_queries):
    NamedPlaceFactory(parent=illinois, name="Springfield")
    NamedPlaceFactory(parent=illinois, name="Plainfield")
    NamedPlaceFactory(parent=illinois, name="Chicago")

    # 1 the jurisdictions named like the query, 2 the names of the state's places and counties
    with django_assert_num_queries(2), pytest.raises(UnknownPlace) as raised:
        find_place("Sprinfield, IL")

    assert raised.value.suggestions[0] == "Springfield, Illinois"
    assert "Chicago, Illinois" not in raised.value.suggestions
    assert "Did you mean “Springfield, Illinois”" in str(raised.value)


def test_a_typo_without_a_state_offers_states_countries_and_large_places(illinois):
    NamedPlaceFactory(parent=illinois, name="Chicago", population=2_746_388)
    NamedPlaceFactory(parent=illinois, name="Chico", population=500)  # too small to offer

    with pytest.raises(UnknownPlace) as raised:
        find_place("Chicgo")
    assert raised.value.suggestions == ("Chicago, Illinois",)
    with pytest.raises(UnknownPlace) as raised:
        find_place("Ilinois")
    assert raised.value.suggestions == ("Illinois",)


def test_a_two_letter_qualifier_is_a_us_state_before_a_country():
    california = UsStateFactory(name="California", postal_code="CA")
    canada = NamedCountryFactory(name="Canada", iso_code="CA")
    city = NamedPlaceFactory(parent=california, name="Ontario")
    SubdivisionFactory(parent=canada, name="Ontario", iso_code="CA-ON")

    assert find_place("Ontario, CA").jurisdiction == city
    assert find_place("Ontario CA").jurisdiction == city
