"""Curators correct jurisdictions' names but never delete a jurisdiction."""

import pytest

from legality.models import Jurisdiction
from tests.factories import (
    CountyFactory,
    LegalStatusFactory,
    PlaceFactory,
    StateFactory,
    ZipCodeFactory,
)

pytestmark = pytest.mark.django_db


def test_curator_cannot_delete_a_jurisdiction(curator_client):
    state = StateFactory()

    page = curator_client.get(f"/admin/legality/jurisdiction/{state.pk}/delete/")
    posted = curator_client.post(
        f"/admin/legality/jurisdiction/{state.pk}/delete/", {"post": "yes"}
    )

    assert (page.status_code, posted.status_code) == (403, 403)
    assert Jurisdiction.objects.filter(pk=state.pk).exists()


def test_curator_is_not_offered_the_bulk_delete_action(curator_client):
    state = StateFactory()

    changelist = curator_client.get("/admin/legality/jurisdiction/")
    posted = curator_client.post(
        "/admin/legality/jurisdiction/",
        {"action": "delete_selected", "_selected_action": [state.pk], "post": "yes"},
    )

    assert "delete_selected" not in changelist.content.decode()
    assert posted.status_code == 200  # "No action selected", back on the list
    assert Jurisdiction.objects.filter(pk=state.pk).exists()


def test_curator_may_not_change_the_ocd_id(curator_client, curator):
    place = PlaceFactory()
    response = curator_client.get(f"/admin/legality/jurisdiction/{place.pk}/change/")
    assert "ocd_id" not in response.context["adminform"].form.fields
    assert "name" in response.context["adminform"].form.fields


def test_renaming_a_jurisdiction_keeps_its_search_name_in_step(curator_client):
    place = PlaceFactory(name="Bogota")
    LegalStatusFactory(jurisdiction=place)
    data = {
        "name": "Bogotá  D.C.",
        "official_name": "",
        "iso_code": "",
        "census_geoid": "",
        "is_incorporated": "unknown",
        "alternate_names-TOTAL_FORMS": "2",
        "alternate_names-INITIAL_FORMS": "0",
        "alternate_names-0-name": "Santa Fe de Bogotá",
        "alternate_names-1-name": "Santafé de Bogotá",
        "ocd_aliases-TOTAL_FORMS": "0",
        "ocd_aliases-INITIAL_FORMS": "0",
        "legal_statuses-TOTAL_FORMS": "1",
        "legal_statuses-INITIAL_FORMS": "1",
        "legal_statuses-0-id": str(place.legal_statuses.get().pk),
        "legal_statuses-0-jurisdiction": str(place.pk),
    }

    response = curator_client.post(f"/admin/legality/jurisdiction/{place.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"]
    place.refresh_from_db()
    assert (place.name, place.search_name) == ("Bogotá  D.C.", "bogota dc")
    assert sorted(place.alternate_names.values_list("search_name", flat=True)) == [
        "santa fe de bogota",
        "santafe de bogota",
    ]


def test_an_alternate_name_twice_is_a_form_error(curator_client):
    place = PlaceFactory(name="Bogota")
    place.alternate_names.create(name="Santa Fe", search_name="santa fe")
    response = curator_client.post(
        "/admin/legality/jurisdictionname/add/",
        {"jurisdiction": str(place.pk), "name": "SANTA  FE"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert place.alternate_names.count() == 1


def test_jurisdiction_autocomplete_finds_a_place_by_name(curator_client):
    PlaceFactory(name="San Diego")
    PlaceFactory(name="Sacramento")

    response = curator_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "legality",
            "model_name": "legalstatus",
            "field_name": "jurisdiction",
            "term": "diego",
        },
    )

    assert [row["text"] for row in response.json()["results"]] == ["San Diego"]


@pytest.mark.parametrize(
    "page",
    [
        "legalstatus/add/",
        "zipcode/{zip}/change/",
        "ocdalias/add/",
        "jurisdictionname/add/",
        "jurisdiction/{place}/change/",
        "reviewflag/add/",
    ],
)
def test_no_form_lists_every_jurisdiction(superuser_client, page):
    place = PlaceFactory(name="Springfield")
    place.counties.add(CountyFactory(name="Sangamon County", parent=place.parent))
    zip_code = ZipCodeFactory(county=place.counties.get(), place=place)
    PlaceFactory(name="Unrelated Town")

    response = superuser_client.get(
        "/admin/legality/" + page.format(zip=zip_code.pk, place=place.pk)
    )

    assert response.status_code == 200
    assert "Unrelated Town" not in response.content.decode()


def test_curators_see_subscriber_counts_never_addresses(curator_client):
    from django.utils import timezone

    from legality.models import Subscription

    followed, other = PlaceFactory(name="Tupelo"), PlaceFactory(name="Oxford")
    for n, confirmed in enumerate([True, True, False]):
        Subscription.objects.create(
            email=f"secret{n}@example.org",
            jurisdiction=followed,
            token=f"t{n}",
            confirmed_at=timezone.now() if confirmed else None,
        )

    changelist = curator_client.get("/admin/legality/jurisdiction/")
    change = curator_client.get(f"/admin/legality/jurisdiction/{followed.pk}/change/")

    rows = {row.pk: row.subscriber_count for row in changelist.context["cl"].result_list}
    assert rows[followed.pk] == 2  # the unconfirmed sign-up is not a follower
    assert rows[other.pk] == 0
    for response in (changelist, change):
        assert "secret" not in response.content.decode()
    assert "alert subscribers" in changelist.content.decode().lower()


def test_a_divisions_page_lists_its_own_names_not_the_cities_abroad_in_it(curator_client):
    england = StateFactory(name="England", country_code="GB")
    england.alternate_names.create(name="Lloegr", search_name="lloegr")
    england.alternate_names.create(name="Manchester", search_name="manchester", population=568_996)

    page = curator_client.get(f"/admin/legality/jurisdiction/{england.pk}/change/")

    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0].formset
    assert [form.instance.name for form in inline.forms if form.instance.pk] == ["Lloegr"]
    listed = curator_client.get("/admin/legality/jurisdictionname/", {"q": "manchester"})
    assert "568996" in listed.content.decode().replace(",", "")
