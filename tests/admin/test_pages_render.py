"""Every model of the app has admin pages, and they render for a superuser and for a curator."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import timezone

from legality.models import (
    JobLock,
    SourceCheck,
    SourceLink,
    StalenessReport,
    ZipCodeCounty,
    ZipTable,
)
from tests.factories import (
    CountyFactory,
    LegalStatusFactory,
    PlaceFactory,
    ReviewFlagFactory,
    ZipCodeFactory,
)

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "legality"),
    key=lambda model: model._meta.model_name,
)
# Written only by jobs: nobody adds them in the admin.
NOT_ADDED_BY_HAND = {"stalenessreport", "sourcecheck", "joblock", "reviewpolicy", "ziptable"}
# Alert subscribers' addresses are never shown to anyone: curators see counts per jurisdiction.
NOT_IN_THE_ADMIN = {"subscription", "alertoutbox", "alertmessage"}


@pytest.fixture
def one_of_each(kratom):
    county = CountyFactory()
    place = PlaceFactory(parent=county.parent)
    place.counties.add(county)
    place.alternate_names.create(name="Old Town", search_name="old town")
    place.ocd_aliases.create(ocd_id=f"{place.ocd_id}x", note="former id")
    zip_code = ZipCodeFactory(county=county, place=place)
    ZipCodeCounty.objects.create(zip_code=zip_code, county=county, land_share="1")
    entry = LegalStatusFactory(jurisdiction=place, substance=kratom)
    ReviewFlagFactory(legal_status=entry)
    now = timezone.now()
    StalenessReport.objects.create(as_of=now.date(), counts={"overdue": 1})
    SourceCheck.objects.create(
        source=entry.sources.get(), checked_at=now, url="https://example.org", is_reachable=True
    )
    JobLock.objects.create(
        name="flag_stale", owner="x", acquired_at=now, expires_at=now + timedelta(minutes=5)
    )
    ZipTable.objects.create(
        name="us",
        as_of=now.date(),
        dataset_changed_at=now,
        built_at=now,
        zip_codes=1,
        etag="x",
        content="zip_code\r\n00001\r\n",
    )


def test_every_model_of_the_app_is_registered():
    models = {
        model
        for model in apps.get_app_config("legality").get_models()
        if not model.__name__.startswith("Historical")
        and model._meta.model_name not in NOT_IN_THE_ADMIN
    }
    # SourceLink is the entries' sources table, edited inline on each entry.
    assert models - {SourceLink} == set(MODELS)
    assert not NOT_IN_THE_ADMIN & {model._meta.model_name for model in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.model_name)
def test_superuser_sees_list_search_add_change_and_history(superuser_client, one_of_each, model):
    base = f"/admin/legality/{model._meta.model_name}/"
    assert superuser_client.get(base).status_code == 200
    assert superuser_client.get(base, {"q": "a"}).status_code == 200
    obj = model.objects.first()
    assert superuser_client.get(f"{base}{obj.pk}/change/").status_code == 200
    assert superuser_client.get(f"{base}{obj.pk}/history/").status_code == 200
    expected = 403 if model._meta.model_name in NOT_ADDED_BY_HAND else 200
    assert superuser_client.get(f"{base}add/").status_code == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.model_name)
def test_curator_sees_the_list_and_change_pages_of_what_the_group_may_view(
    curator_client, curator, one_of_each, model
):
    base = f"/admin/legality/{model._meta.model_name}/"
    may_view = curator.has_perm(f"legality.view_{model._meta.model_name}")
    assert curator_client.get(base).status_code == (200 if may_view else 403)
    obj = model.objects.first()
    assert curator_client.get(f"{base}{obj.pk}/change/").status_code == (200 if may_view else 403)
