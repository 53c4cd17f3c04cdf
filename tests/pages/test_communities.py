"""Unincorporated communities (census-designated places): county and state law answer there."""

import pytest

from legality.geography import find_place
from legality.models import LegalStatus, PlaceCounty, PlaceKind
from tests.factories import LegalStatusFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

from .conftest import text

pytestmark = pytest.mark.django_db

BANNED = LegalStatus.Status.BANNED
REGULATED = LegalStatus.Status.REGULATED


def community(state, county, name, code, *, is_incorporated=False):
    return NamedPlaceFactory(
        parent=state,
        name=name,
        official_name=f"{name} CDP",
        ocd_id=f"{state.ocd_id}/census_place:{code}",
        division_type="census_place",
        census_geoid=code,
        place_kind=PlaceKind.CENSUS_DESIGNATED,
        is_incorporated=is_incorporated,
        is_official_ocd_id=False,
        counties=[county],
    )


def answer(client, place) -> dict:
    url = "/api/v1/lookup/"
    return client.get(url, {"ocd_id": place.ocd_id, "substance": "kratom"}).json()["results"][0]


def test_an_unincorporated_only_county_entry_decides_in_a_community(client, kratom):
    louisiana = UsStateFactory(name="Louisiana", postal_code="LA")
    jefferson = NamedCountyFactory(parent=louisiana, name="Jefferson Parish")
    metairie = community(louisiana, jefferson, "Metairie", "2250115")
    LegalStatusFactory(jurisdiction=louisiana, substance=kratom, status=REGULATED)
    LegalStatusFactory(
        jurisdiction=jefferson, substance=kratom, status=BANNED, applies_to="unincorporated"
    )

    result = answer(client, metairie)
    page = text(client.get(f"/j/{metairie.ocd_id}/"))

    assert (result["status"], result["decided_by"]) == ("banned", jefferson.ocd_id)
    assert result["assumptions"] == []  # certainly outside any city limits
    assert (
        "Metairie is an unincorporated community in Jefferson Parish: parish and state law apply."
        in page
    )
    assert find_place("Metairie LA").jurisdiction == metairie
    assert client.get(f"/j/{metairie.ocd_id}/").status_code == 200


def test_where_towns_govern_the_county_entry_counts_with_its_caveat(client, kratom):
    new_york = UsStateFactory(name="New York", postal_code="NY")
    nassau = NamedCountyFactory(parent=new_york, name="Nassau County")
    levittown = community(new_york, nassau, "Levittown", "3642081", is_incorporated=None)
    LegalStatusFactory(
        jurisdiction=nassau, substance=kratom, status=BANNED, applies_to="unincorporated"
    )

    result = answer(client, levittown)
    page = text(client.get(f"/j/{levittown.ocd_id}/"))

    assert result["status"] == "banned"
    assert result["assumptions"] == ["county_scope_unknown"]
    assert "It lies in a town or township that governs itself and may have its own rules" in page


def test_a_county_part_without_residents_is_noted_not_counted(client, kratom):
    illinois = UsStateFactory(name="Illinois", postal_code="IL")
    jackson = NamedCountyFactory(parent=illinois, name="Jackson County")
    williamson = NamedCountyFactory(parent=illinois, name="Williamson County")
    carbondale = NamedPlaceFactory(parent=illinois, name="Carbondale", counties=[jackson])
    PlaceCounty.objects.create(place=carbondale, county=williamson, position=1, has_residents=False)
    LegalStatusFactory(jurisdiction=williamson, substance=kratom, status=BANNED)
    LegalStatusFactory(jurisdiction=jackson, substance=kratom, status=REGULATED)

    result = answer(client, carbondale)
    page = text(client.get(f"/j/{carbondale.ocd_id}/"))

    assert (result["status"], result["decided_by"]) == ("regulated", jackson.ocd_id)
    assert "Part of Carbondale lies in Williamson County, where it has no residents" in page
