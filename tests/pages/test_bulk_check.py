"""/check/: paste ZIP codes or upload a CSV, read a table, download it as CSV."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from legality.models import LegalStatus, ZipCodeCounty
from tests.factories import LegalStatusFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory
from tests.pages.conftest import NOTICE, text

pytestmark = pytest.mark.django_db

URL = "/check/"


@pytest.fixture
def zip_codes(kratom, mississippi, lee, tupelo):
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=LegalStatus.Status.BANNED)
    pontotoc = NamedCountyFactory(parent=mississippi, name="Pontotoc County")
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=LegalStatus.Status.REGULATED,
        minimum_age=21,
    )
    in_town = ZipCodeFactory(code="38801", state=mississippi, county=lee, place=tupelo)
    rural = ZipCodeFactory(code="38863", state=mississippi, county=pontotoc, place=None)
    ZipCodeCounty.objects.create(zip_code=in_town, county=lee, land_share=1, position=0)
    ZipCodeCounty.objects.create(zip_code=rural, county=pontotoc, land_share=1, position=0)


def test_the_empty_form_sets_no_cookie(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert "Check many ZIP codes at once" in text(response)
    assert NOTICE in text(response)
    assert not response.cookies


def test_pasted_zip_codes_answer_as_a_table(client, zip_codes):
    response = client.post(URL, {"items": "38801, 38863\n99999\nTupelo, MS"})

    assert response.status_code == 200
    page = text(response)
    assert "4 items on" in page and "1 without an answer" in page
    assert (
        "38801 Tupelo (approximate) banned varies: regulated outside the town limits, in "
        "unincorporated Lee County by Tupelo; age by Mississippi"
    ) in page
    assert "38863 Pontotoc County regulated 21+ by Mississippi" in page
    assert "No place matches “99999”. We have no such US ZIP code." in page
    assert "Download as CSV" in page
    assert not response.cookies


def test_the_download_button_answers_csv(client, zip_codes):
    response = client.post(URL, {"items": "38801\n38863", "substance": "kratom", "download": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["query"], r["status"], r["strictest"], r["minimum_age"]) for r in rows] == [
        ("38801", "banned", "banned", "21"),
        ("38863", "regulated", "regulated", "21"),
    ]


def test_an_uploaded_csv_fills_the_table_and_the_text_box(client, zip_codes):
    upload = SimpleUploadedFile("orders.csv", b"order,zip_code\r\nA-1,38863\r\n")

    response = client.post(URL, {"file": upload})

    assert "38863 Pontotoc County regulated" in text(response)
    assert "38863</textarea>" in response.content.decode()


@pytest.mark.parametrize(
    ("items", "reason"),
    [("", "Paste at least one ZIP code"), ("1\n" * 1001, "at most 1,000 items")],
)
def test_bad_input_is_a_form_error(client, items, reason):
    response = client.post(URL, {"items": items})

    assert response.status_code == 400
    assert reason in text(response)
