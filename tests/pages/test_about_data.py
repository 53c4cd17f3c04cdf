"""The "About the data" page: where places come from, and the credits their licences require."""

import pytest

from legality.gazetteer.attribution import PLACE_DATA_ATTRIBUTION, WORLD_NAMES_ATTRIBUTION

from .conftest import text

pytestmark = pytest.mark.django_db


def test_about_the_data_shows_every_attribution_line_and_is_linked_from_every_page(client):
    response = client.get("/about/data/")

    assert response.status_code == 200
    page = text(response)
    for line in (*PLACE_DATA_ATTRIBUTION, WORLD_NAMES_ATTRIBUTION):
        assert " ".join(line.split()) in page
    assert 'href="/about/data/"' in client.get("/").content.decode()
