"""The public dataset exports: CSV and JSON of every published entry, and the Data Package
descriptor that gives their licence, date and column meanings."""

import csv
import io
import json
from datetime import date

import pytest
from django.utils import timezone

from legality import exports
from legality.zip_table import zip_table_columns
from tests.factories import CountyFactory, LegalStatusFactory, SourceFactory, StateFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/data/statuses.csv"
JSON_URL = "/data/statuses.json"
DATAPACKAGE_URL = "/data/datapackage.json"


def csv_rows(response) -> tuple[list[str], list[dict[str, str]]]:
    """The header, and the rows under it, read with the csv module's defaults."""
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture
def published(kratom, seven_oh):
    state = StateFactory(name="Alabama")
    act = SourceFactory(title="Act 2016-128", citation="", url="https://example.org/act")
    code = SourceFactory(url="", citation="Ala. Code § 20-2-23")
    return [
        LegalStatusFactory(
            jurisdiction=state,
            substance=kratom,
            status="banned",
            summary="Schedule I.",
            effective_from=date(2016, 5, 10),
            effective_until=date(2026, 7, 1),
            sources=[act, code],
            internal_notes="secret curator note",
            sale_rule="prohibited",
            possession_rule="prohibited",
            import_rule="not_addressed",
            product_limits=[{"kind": "synthetic_alkaloids_banned", "text": "No synthetics."}],
            penalty="A felony.",
        ),
        LegalStatusFactory(
            jurisdiction=CountyFactory(parent=state, name="Lee County"),
            substance=seven_oh,
            status="regulated",
            minimum_age=21,
            applies_to="whole",
            summary="21 and over.",
            effective_from=date(2025, 3, 1),
            effective_from_precision="month",
            unverified=True,
            sources=[code],
        ),
        LegalStatusFactory(
            jurisdiction=state,
            substance=seven_oh,
            summary="An unpublished draft.",
            is_published=False,
            sources=[],
        ),
    ]


def test_csv_starts_with_its_one_header_line(client, published):
    response = client.get(CSV_URL)

    header, rows = csv_rows(response)
    today = timezone.localdate().isoformat()
    assert response.content.decode().splitlines()[0] == ",".join(exports.CSV_COLUMNS)
    assert header == exports.CSV_COLUMNS
    assert len(rows) == 2
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="kratom-legality-statuses-{today}.csv"' in response["Content-Disposition"]
    assert response["Link"] == (
        '<https://creativecommons.org/licenses/by/4.0/>; rel="license", '
        '</data/datapackage.json>; rel="describedby"; type="application/json"'
    )


def test_datapackage_describes_the_csv_and_json_with_licence_and_columns(client, published):
    descriptor = client.get(DATAPACKAGE_URL).json()

    assert descriptor["name"] == "kratom-legality-statuses"
    assert descriptor["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert descriptor["created"].startswith(timezone.localdate().isoformat())
    csv_resource, json_resource, zip_resource = descriptor["resources"]
    assert csv_resource["path"] == "http://testserver/data/statuses.csv"
    assert json_resource["path"] == "http://testserver/data/statuses.json"
    assert zip_resource["path"] == "http://testserver/data/zip-codes.csv"
    zip_fields = zip_resource["schema"]["fields"]
    assert [field["name"] for field in zip_fields] == zip_table_columns(["kratom", "7-oh"])
    assert all(field["description"] for field in zip_fields)
    fields = csv_resource["schema"]["fields"]
    assert [field["name"] for field in fields] == exports.CSV_COLUMNS
    assert all(field["description"] for field in fields)
    until = next(field for field in fields if field["name"] == "effective_until")
    assert (until["type"], until["description"]) == (
        "date",
        "Last day in force; empty: still in force.",
    )
    header, _ = csv_rows(client.get(CSV_URL))
    assert header == [field["name"] for field in fields]  # the descriptor matches the file


def test_csv_rows_give_the_last_day_in_force_and_the_sources(client, published):
    _, rows = csv_rows(client.get(CSV_URL))

    banned, regulated = rows  # ordered by OCD id: the state, then its county
    assert banned | {"ocd_id": ""} == {
        "ocd_id": "",
        "jurisdiction": "Alabama",
        "level": "state",
        "country": "US",
        "substance": "kratom",
        "status": "banned",
        "minimum_age": "",
        "applies_to": "",
        "effective_from": "2016-05-10",
        "effective_from_precision": "day",
        "effective_until": "2026-06-30",  # stored half-open as 2026-07-01
        "unverified": "false",
        "last_verified_at": "2026-01-01",
        "summary": "Schedule I.",
        "details": "",
        "sale": "prohibited",
        "possession": "prohibited",
        "use": "unknown",
        "manufacture": "unknown",
        "distribution": "unknown",
        "import": "not_addressed",
        "minimum_age_applies_to": "",
        "product_limits": "synthetic_alkaloids_banned: No synthetics.",
        "penalty": "A felony.",
        "sources": "Act 2016-128 <https://example.org/act> | Ala. Code § 20-2-23",
    }
    assert banned["ocd_id"] == published[0].jurisdiction.ocd_id
    assert (regulated["minimum_age"], regulated["applies_to"]) == ("21", "whole")
    assert (regulated["effective_from_precision"], regulated["unverified"]) == ("month", "true")


def test_json_gives_the_licence_the_export_date_and_every_entry(client, published):
    body = client.get(JSON_URL).json()

    assert body["title"] == exports.TITLE
    assert body["exported_on"] == timezone.localdate().isoformat()
    assert body["license"]["compilation"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Kratom Legality Tracker contributors",
    }
    assert body["license"]["geography"]["license"] == "CC0 1.0"
    assert body["attribution"] == exports.LICENSE_LINE
    # The gazetteer's Attribution lines, word for word (CC BY 4.0: SimpleMaps, GeoNames).
    places = body["license"]["places"]["attribution"]
    assert places[0].startswith("US city data: SimpleMaps US Cities Database, ")
    assert places[1].startswith("Place data: GeoNames, https://www.geonames.org/, licensed ")
    assert "Geocorr 2022: Geographic Correspondence Engine" in places[2]
    banned = body["entries"][0]
    assert banned["jurisdiction"] == {
        "ocd_id": published[0].jurisdiction.ocd_id,
        "name": "Alabama",
        "level": "state",
        "country": "US",
    }
    assert (banned["effective_until"], banned["last_verified_at"]) == ("2026-06-30", "2026-01-01")
    assert banned["activities"] == {
        "sale": "prohibited",
        "possession": "prohibited",
        "use": "unknown",
        "manufacture": "unknown",
        "distribution": "unknown",
        "import": "not_addressed",
    }
    assert (banned["product_limits"], banned["penalty"]) == (
        [{"kind": "synthetic_alkaloids_banned", "text": "No synthetics."}],
        "A felony.",
    )
    assert banned["sources"] == [
        {
            "title": "Act 2016-128",
            "url": "https://example.org/act",
            "citation": None,
            "publisher": "State legislature",
            "kind": "statute",
            "published_on": "2024-01-01",
            "published_precision": "day",
        },
        {
            "title": published[0].sources.get(url="").title,
            "url": None,
            "citation": "Ala. Code § 20-2-23",
            "publisher": "State legislature",
            "kind": "statute",
            "published_on": "2024-01-01",
            "published_precision": "day",
        },
    ]
    assert [entry["unverified"] for entry in body["entries"]] == [False, True]


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_exports_leave_out_unpublished_entries_and_internal_notes(client, published, url):
    text = client.get(url).content.decode()

    assert "secret curator note" not in text
    assert "internal_notes" not in text
    assert "An unpublished draft." not in text


def test_an_entry_with_an_unknown_start_comes_first_and_stays_open(client, kratom):
    state = StateFactory()
    LegalStatusFactory(jurisdiction=state, substance=kratom, effective_from=date(2020, 1, 1))
    LegalStatusFactory(
        jurisdiction=state, substance=kratom, effective_until=date(2020, 1, 1), status="banned"
    )

    entries = client.get(JSON_URL).json()["entries"]

    assert [(e["effective_from"], e["effective_until"]) for e in entries] == [
        (None, "2019-12-31"),
        ("2020-01-01", None),
    ]


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_exports_take_the_same_queries_for_any_number_of_entries(
    client, kratom, django_assert_num_queries, rows, url
):
    for _ in range(rows):
        LegalStatusFactory(substance=kratom, sources=[SourceFactory(), SourceFactory()])

    # 1-4 the dataset's last change (entries, their history, sources' history, flags), for the
    # ETag; 5 the published entries with jurisdiction and substance, 6 their sources.
    with django_assert_num_queries(6):
        response = client.get(url)
    # The same day's next request is answered from the server's copy.
    with django_assert_num_queries(0):
        again = client.get(url)

    assert again.content == response.content
    if url == JSON_URL:
        assert len(json.loads(response.content)["entries"]) == rows
    else:
        assert len(csv_rows(response)[1]) == rows
