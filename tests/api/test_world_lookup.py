"""GET /api/v1/lookup/ for names abroad: a city leads to the division it lies in, and says so."""

import pytest

from tests.factories import create_period_history
from tests.geo_factories import (
    JurisdictionNameFactory,
    NamedCountryFactory,
    NamedPlaceFactory,
    SubdivisionFactory,
    UsStateFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/"


@pytest.fixture
def bavaria():
    germany = NamedCountryFactory(name="Germany", iso_code="DE")
    bavaria = SubdivisionFactory(parent=germany, name="Bayern", iso_code="DE-BY")
    for name in ("Munich", "München"):
        JurisdictionNameFactory(jurisdiction=bavaria, name=name, population=1_505_005)
    return bavaria


def test_a_city_abroad_answers_for_its_division_and_names_the_city(client, kratom, bavaria):
    create_period_history(bavaria.parent, kratom, periods=1, sources=1)

    response = client.get(URL, {"q": "Munich, Germany"})

    assert response.status_code == 200
    body = response.json()
    assert body["place"]["ocd_id"] == bavaria.ocd_id
    assert body["matched_by"] == "name"
    assert body["city"] == {"name": "Munich", "population": 1_505_005}
    # The country's entry decides: the city has no law of its own here.
    assert body["results"][0]["decided_by"] == bavaria.parent.ocd_id
    assert body["results"][0]["status"] != "unknown"


def test_a_us_place_has_no_city_abroad(client, kratom):
    NamedPlaceFactory(parent=UsStateFactory(name="Mississippi", postal_code="MS"), name="Tupelo")

    assert client.get(URL, {"q": "Tupelo, MS"}).json()["city"] is None


def test_places_of_one_name_list_the_city_abroad_first_by_its_people(client, kratom):
    uk = NamedCountryFactory(name="United Kingdom", iso_code="GB")
    england = SubdivisionFactory(parent=uk, name="England", iso_code="GB-ENG")
    JurisdictionNameFactory(jurisdiction=england, name="London", population=8_961_989)
    ohio = UsStateFactory(name="Ohio", postal_code="OH")
    NamedPlaceFactory(parent=ohio, name="London", population=10_279)

    response = client.get(URL, {"q": "London"})

    assert response.status_code == 300
    first, second = response.json()["matches"]
    assert first == {
        "ocd_id": england.ocd_id,
        "name": "England",
        "level": "state",
        "kind": "city",
        "county": "",
        "state": "England",
        "population": 8_961_989,
        "description": "London — city in England, United Kingdom, 8,961,989 people",
        "city": "London",
    }
    assert (second["state"], second["city"]) == ("Ohio", "")


def test_a_city_abroad_costs_no_more_queries_than_a_town(
    client, kratom, bavaria, django_assert_num_queries
):
    create_period_history(bavaria.parent, kratom, periods=1, sources=1)

    # 1-4 the dataset's last change (entries, entry history, source history, flags)
    # 5 find_place: the jurisdictions named "München" (with the largest city of that name in
    #   each) with their parent chains
    # 6 the substances
    # 7 the counties the division lies in (none)
    # 8 the division and its parent chain
    # 9 the published statuses of every layer, with their review state (subqueries)
    # 10 their sources (through the link table)
    with django_assert_num_queries(10):
        response = client.get(URL, {"q": "München"})
    assert response.status_code == 200
