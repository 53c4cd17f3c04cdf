"""/search/: one place redirects to its page, several are listed, none is the helpful 404."""

import pytest

from tests.factories import ZipCodeFactory
from tests.geo_factories import (
    JurisdictionNameFactory,
    NamedCountryFactory,
    NamedCountyFactory,
    NamedPlaceFactory,
    SubdivisionFactory,
    UsStateFactory,
)

from .conftest import NOTICE, text

pytestmark = pytest.mark.django_db


def search(client, q, **params):
    return client.get("/search/", {"q": q, **params})


def test_one_match_redirects_to_its_page_and_the_query_stays_in_the_box(client, tupelo):
    response = search(client, "Tupelo, MS")
    assert response.status_code == 302
    assert response["Location"] == f"/j/{tupelo.ocd_id}/?q=Tupelo%2C+MS"
    page = client.get(response["Location"])
    assert b'name="q" type="search" value="Tupelo, MS"' in page.content
    # The title and the heading carry the state: there are many Tupelos.
    assert b"<title>Tupelo, Mississippi: is kratom legal?" in page.content
    assert b"<h1>Tupelo, Mississippi</h1>" in page.content


def test_zip_code_redirect_keeps_the_zip_code(client, mississippi, lee, tupelo):
    ZipCodeFactory(code="38804", state=mississippi, county=lee, place=tupelo)
    response = search(client, "38804")
    assert response["Location"] == f"/j/{tupelo.ocd_id}/?zip=38804"
    page = client.get(response["Location"])
    assert "approximate" in text(page)
    assert b'type="search" value="38804"' in page.content


def test_bare_state_name_redirects_and_offers_the_other_readings(client, kratom):
    florida = UsStateFactory(name="Florida", postal_code="FL")
    town = NamedPlaceFactory(
        parent=UsStateFactory(name="New York", postal_code="NY"), name="Florida"
    )

    response = search(client, "Florida")

    assert response["Location"] == f"/j/{florida.ocd_id}/?also=Florida"
    page = client.get(response["Location"])
    assert "“Florida” can also mean other places" in text(page)
    every = search(client, "Florida", all="1")
    assert every.status_code == 200
    assert f"/j/{town.ocd_id}/".encode() in every.content
    assert f"/j/{florida.ocd_id}/".encode() in every.content


def test_ambiguous_name_lists_the_candidates_with_their_state(client):
    illinois = UsStateFactory(name="Illinois", postal_code="IL")
    missouri = UsStateFactory(name="Missouri", postal_code="MO")
    sangamon = NamedCountyFactory(parent=illinois, name="Sangamon County")
    first = NamedPlaceFactory(
        parent=illinois, name="Springfield", population=114_394, counties=[sangamon]
    )
    second = NamedPlaceFactory(parent=missouri, name="Springfield")

    response = search(client, "Springfield")

    assert response.status_code == 200
    words = text(response)
    assert "Which “Springfield”?" in words
    # Largest first, in words; the hint names a real state, not "Springfield, IL, IL".
    assert (
        "Springfield — city in Sangamon County, Illinois, 114,394 people "
        "ocd-division/country:us/state:il/place:springfield "
        "Springfield — city in Missouri"
    ) in words
    assert "e.g. “Springfield, Illinois”" in words
    for place in (first, second):
        assert f'href="/j/{place.ocd_id}/"'.encode() in response.content
    assert NOTICE in words


def test_nothing_found_is_the_helpful_404(client, mississippi):
    response = search(client, "Atlantis")
    assert response.status_code == 404
    words = text(response)
    assert "No place matches “Atlantis”." in words
    assert "Try a five-digit US ZIP code" in words
    assert 'value="Atlantis"' in response.content.decode()  # the box keeps the query


def test_empty_search_is_a_400_with_the_reason(client):
    response = client.get("/search/", {"q": "  "})
    assert response.status_code == 400
    assert "Type a ZIP code, a city, a county, a state or a country." in text(response)


def test_search_runs_one_query(client, tupelo, django_assert_num_queries):
    search(client, "warm the dataset version")
    # 1 find_place: the jurisdictions the name may mean, with their parent chains
    with django_assert_num_queries(1):
        search(client, "Tupelo")


def test_an_address_that_matches_nothing_is_the_helpful_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    words = text(response)
    assert "There is no page at this address." in words
    assert "Resolver404" not in words
    assert NOTICE in words


def test_a_typo_is_the_helpful_404_with_did_you_mean(client):
    illinois = UsStateFactory(name="Illinois", postal_code="IL")
    NamedPlaceFactory(parent=illinois, name="Springfield")

    response = search(client, "Sprinfield, IL")

    assert response.status_code == 404
    assert "Did you mean: Springfield, Illinois" in text(response)
    assert 'href="/search/?q=Springfield%2C%20Illinois"' in response.content.decode()


def test_a_city_abroad_opens_its_divisions_page_which_says_so(client, kratom):
    germany = NamedCountryFactory(name="Germany", iso_code="DE")
    bavaria = SubdivisionFactory(parent=germany, name="Bayern", iso_code="DE-BY")
    JurisdictionNameFactory(jurisdiction=bavaria, name="Munich", population=1_505_005)

    response = search(client, "Munich")

    assert response["Location"] == f"/j/{bavaria.ocd_id}/?city=Munich&q=Munich"
    page = text(client.get(response["Location"]))
    assert "Munich is a city of 1,505,005 people in Bayern, Germany." in page
    assert "this is the answer for Bayern" in page
    # The page checks the city lies there rather than trusting its address.
    other = text(client.get(f"/j/{bavaria.ocd_id}/", {"city": "Atlantis"}))
    assert "Atlantis" not in other


def test_every_reading_of_a_name_words_a_city_abroad_as_the_city(client, kratom):
    massachusetts = UsStateFactory(name="Massachusetts", postal_code="MA")
    boston = NamedPlaceFactory(parent=massachusetts, name="Boston", population=675_647)
    uk = NamedCountryFactory(name="United Kingdom", iso_code="GB")
    england = SubdivisionFactory(parent=uk, name="England", iso_code="GB-ENG")
    JurisdictionNameFactory(jurisdiction=england, name="Boston", population=41_340)

    response = search(client, "Boston")
    assert response["Location"] == f"/j/{boston.ocd_id}/?also=Boston"
    every = text(search(client, "Boston", all="1"))
    assert "Boston — city in England, United Kingdom, 41,340 people" in every


def test_several_places_link_a_city_abroad_to_its_divisions_page_with_the_city(client, kratom):
    uk = NamedCountryFactory(name="United Kingdom", iso_code="GB")
    england = SubdivisionFactory(parent=uk, name="England", iso_code="GB-ENG")
    JurisdictionNameFactory(jurisdiction=england, name="London", population=8_961_989)
    ohio = UsStateFactory(name="Ohio", postal_code="OH")
    NamedPlaceFactory(parent=ohio, name="London", population=10_279)

    response = search(client, "London")

    assert response.status_code == 200
    assert f'href="/j/{england.ocd_id}/?city=London"' in response.content.decode()
    assert "e.g. “London, England”" in text(response)
