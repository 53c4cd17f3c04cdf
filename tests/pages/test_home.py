"""The home page: the search box, states and countries at a glance today, recent changes."""

from datetime import date
from string import ascii_uppercase

import pytest

from legality.models import LegalStatus
from tests.factories import LegalStatusFactory, ReviewFlagFactory, SourceFactory
from tests.geo_factories import NamedCountryFactory, NamedPlaceFactory, UsStateFactory

from .conftest import NOTICE, text

pytestmark = pytest.mark.django_db


def test_home_shows_states_and_countries_at_a_glance(client, kratom, seven_oh, mississippi):
    alabama = UsStateFactory(name="Alabama", postal_code="AL")
    LegalStatusFactory(jurisdiction=alabama, substance=kratom, status=LegalStatus.Status.BANNED)
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=LegalStatus.Status.REGULATED,
        minimum_age=21,
        unverified=True,
    )
    thailand = NamedCountryFactory(name="Thailand", iso_code="TH")
    LegalStatusFactory(
        jurisdiction=thailand, substance=kratom, status=LegalStatus.Status.REGULATED, minimum_age=18
    )
    NamedCountryFactory(name="Chad", iso_code="TD")
    town = NamedPlaceFactory(parent=alabama, name="Mobile")
    LegalStatusFactory(
        jurisdiction=town,
        substance=kratom,
        status=LegalStatus.Status.BANNED,
        effective_from=date(2024, 5, 1),
    )

    response = client.get("/")

    assert response.status_code == 200
    words = text(response)
    assert NOTICE in words
    assert b'action="/search/"' in response.content
    assert "Alabama Banned" in words
    # 7-OH in Alabama: a kratom ban covers it.
    assert "Alabama Banned Banned" in words
    assert "Mississippi Regulated · 21 and over unverified no entry" in words
    assert "Thailand Regulated · 18 and over no entry" in words
    # Chad, and the United States itself: no country-level entry in this test.
    assert "2 other countries: no entry, we don't know Chad · United States" in words
    # A place shows only among the changes, dated by its law.
    assert "1 May 2024 Mobile Kratom no rule of its own → banned" in words
    assert f'href="/j/{thailand.ocd_id}/"'.encode() in response.content


def test_home_is_unknown_not_legal_for_a_state_no_layer_knows(client, kratom, seven_oh):
    UsStateFactory(name="Alaska", postal_code="AK")
    words = text(client.get("/"))
    assert "Alaska no entry no entry" in words


@pytest.mark.parametrize("states", [1, 20])
def test_home_runs_a_constant_number_of_queries(
    client, kratom, seven_oh, states, django_assert_num_queries
):
    for n in range(states):
        state = UsStateFactory(name=f"State {n}", postal_code=f"S{n}")
        for substance in (kratom, seven_oh):
            entry = LegalStatusFactory(
                jurisdiction=state,
                substance=substance,
                sources=SourceFactory.create_batch(3),
            )
            ReviewFlagFactory(legal_status=entry)
        # Two letters, as country_code holds (PostgreSQL enforces the length): XA, XB, ...
        # (ISO 3166 leaves the X codes to users, so no real country's).
        NamedCountryFactory(name=f"Country {n}", iso_code=f"X{ascii_uppercase[n]}")

    # 1-4 the dataset's last change (entries, entry history, source history, flags)
    # 5 the substances
    # 6 the countries and US states
    # 7 their published statuses, with their review state (subqueries)
    # 8 those statuses' sources (through the link table)
    # 9 the published periods, for the changes, with jurisdiction and substance
    # The map, rendered once per dataset version and change day (legality.maps.rendering):
    # 10-11 every published entry and its sources (the days on which the map can change)
    # 12 the substances, 13 the US and its states (no county or city has an entry here)
    # 14 their published statuses, 15 their sources
    with django_assert_num_queries(15):
        response = client.get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    with django_assert_num_queries(0):
        client.get("/")


def test_every_page_links_the_dataset_exports(client, kratom):
    response = client.get("/")
    for url in ("/data/statuses.csv", "/data/statuses.json"):
        assert f'href="{url}"'.encode() in response.content
        assert client.get(url).status_code == 200
