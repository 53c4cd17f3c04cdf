"""The public lists: jurisdictions, statuses and changes, with their filters and CSV."""

import csv
import io
from datetime import date

import pytest

from legality.models import ReviewFlag
from tests.factories import (
    CountyFactory,
    LegalStatusFactory,
    PlaceFactory,
    ReviewFlagFactory,
    SourceFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db


def test_jurisdictions_filter_by_level_country_and_parent(client):
    state = StateFactory(name="Alabama")
    CountyFactory(parent=state, name="Jefferson County")
    PlaceFactory(parent=state, name="Birmingham")
    PlaceFactory(name="Elsewhere")

    body = client.get("/api/v1/jurisdictions/", {"level": "place", "parent": state.ocd_id}).json()

    assert [row["name"] for row in body["results"]] == ["Birmingham"]
    assert body["results"][0]["parent"] == state.ocd_id
    assert client.get("/api/v1/jurisdictions/", {"country": "us"}).json()["count"] == 6


def test_jurisdiction_detail_by_ocd_id_and_404(client):
    state = StateFactory(name="Alabama", iso_code="US-AL")
    body = client.get(f"/api/v1/jurisdictions/{state.ocd_id}/").json()
    assert body["iso_code"] == "US-AL"
    assert body["level"] == "state"
    missing = client.get("/api/v1/jurisdictions/ocd-division/country:zz/")
    assert missing.status_code == 404


def test_statuses_show_public_fields_and_last_day_in_force(client, kratom):
    LegalStatusFactory(
        substance=kratom,
        status="banned",
        effective_from=date(2020, 1, 1),
        effective_until=date(2024, 7, 1),
        internal_notes="secret curator note",
        sources=[SourceFactory(citation="Ala. Code § 20-2-23", url="")],
        sale_rule="prohibited",
        penalty="A felony.",
    )
    response = client.get("/api/v1/statuses/")
    row = response.json()["results"][0]
    assert row["status"] == "banned"
    assert row["activities"]["sale"] == "prohibited"
    assert set(row["activities"]) == {
        "sale",
        "possession",
        "use",
        "manufacture",
        "distribution",
        "import",
    }
    assert (row["product_limits"], row["penalty"]) == ([], "A felony.")
    assert row["effective_until"] == "2024-06-30"  # stored half-open as 2024-07-01
    assert row["sources"] == [
        {
            "title": row["sources"][0]["title"],
            "url": None,
            "citation": "Ala. Code § 20-2-23",
            "publisher": "State legislature",
            "kind": "statute",
            "published_on": "2024-01-01",
        }
    ]
    assert "internal_notes" not in row
    assert b"secret curator note" not in response.content


def test_unpublished_entries_and_internal_notes_never_appear(client, kratom):
    LegalStatusFactory(substance=kratom, is_published=False, summary="draft, not for the public")
    LegalStatusFactory(substance=kratom, internal_notes="only for curators")
    for url in ("/api/v1/statuses/", "/api/v1/changes/", "/api/v1/statuses/?format=csv"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"draft, not for the public" not in response.content
        assert b"only for curators" not in response.content


def test_statuses_filters(client, kratom, seven_oh):
    state = StateFactory()
    banned = LegalStatusFactory(
        jurisdiction=state,
        substance=kratom,
        status="banned",
        effective_from=date(2022, 1, 1),
    )
    LegalStatusFactory(
        jurisdiction=state, substance=kratom, status="legal", effective_until=date(2022, 1, 1)
    )
    LegalStatusFactory(jurisdiction=state, substance=seven_oh, status="restricted")
    ReviewFlagFactory(legal_status=banned, reason=ReviewFlag.Reason.OVERDUE)

    def statuses(**params):
        return [
            (row["substance"], row["status"])
            for row in client.get("/api/v1/statuses/", params).json()["results"]
        ]

    assert statuses(substance="7-oh") == [("7-oh", "restricted")]
    assert statuses(status="banned") == [("kratom", "banned")]
    assert statuses(substance="kratom", effective_on="2021-06-01") == [("kratom", "legal")]
    assert statuses(stale="true") == [("kratom", "banned")]
    assert len(statuses(jurisdiction=state.ocd_id, level="state", country="US")) == 3
    assert statuses(changed_since="2999-01-01T00:00:00Z") == []


def test_bad_filter_values_are_a_400_with_a_reason(client):
    response = client.get("/api/v1/statuses/", {"effective_on": "2024-13-45"})
    assert response.status_code == 400
    # The one error shape of the whole API (ErrorSerializer): a sentence, and messages by field.
    assert response.json() == {
        "detail": "effective_on: Enter a valid date.",
        "errors": {"effective_on": ["Enter a valid date."]},
    }
    assert client.get("/api/v1/statuses/", {"status": "tolerated"}).status_code == 400


def test_statuses_as_csv(client, kratom):
    LegalStatusFactory(substance=kratom, status="regulated", minimum_age=21)
    response = client.get("/api/v1/statuses/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["status"] == "regulated"
    assert rows[0]["minimum_age"] == "21"
    assert rows[0]["jurisdiction.ocd_id"].startswith("ocd-division/country:us/state:")


def test_changes_come_from_the_periods_newest_first_by_the_day_the_law_changed(
    client, kratom, seven_oh
):
    ohio = StateFactory(name="Ohio")
    # Recorded in another order than they happened: the day of the law counts, not the import.
    LegalStatusFactory(
        jurisdiction=ohio,
        substance=kratom,
        status="restricted",
        effective_from=date(2025, 12, 12),
        effective_until=date(2099, 1, 1),
    )
    LegalStatusFactory(
        jurisdiction=ohio, substance=kratom, status="legal", effective_until=date(2025, 12, 12)
    )
    LegalStatusFactory(
        jurisdiction=ohio, substance=seven_oh, status="banned", effective_from=date(2024, 3, 1)
    )

    rows = client.get("/api/v1/changes/").json()["results"]

    assert [
        (row["date"], row["substance"], row["previous_status"], row["status"], row["is_upcoming"])
        for row in rows
    ] == [
        ("2099-01-01", "kratom", "restricted", None, True),  # the rule ends with none after it
        ("2025-12-12", "kratom", "legal", "restricted", False),  # Ohio: legal -> restricted
        ("2024-03-01", "7-oh", None, "banned", False),  # its first 7-OH rule
    ]
    assert rows[1]["jurisdiction"]["name"] == "Ohio"
    assert rows[1]["recorded_at"]


def test_changes_filters_and_unknown_parameters(client, kratom, seven_oh):
    ohio, texas = StateFactory(name="Ohio"), StateFactory(name="Texas")
    toledo = PlaceFactory(parent=ohio)
    LegalStatusFactory(jurisdiction=ohio, substance=kratom, effective_from=date(2020, 1, 1))
    LegalStatusFactory(
        jurisdiction=toledo, substance=seven_oh, status="banned", effective_from=date(2025, 1, 1)
    )
    LegalStatusFactory(
        jurisdiction=texas, substance=kratom, status="banned", effective_from=date(2024, 1, 1)
    )

    def changes(**params):
        response = client.get("/api/v1/changes/", params)
        assert response.status_code == 200, response.json()
        return [(row["jurisdiction"]["name"], row["date"]) for row in response.json()["results"]]

    assert changes(within=ohio.ocd_id) == [(toledo.name, "2025-01-01"), ("Ohio", "2020-01-01")]
    assert changes(substance="kratom", status="banned") == [("Texas", "2024-01-01")]
    assert changes(since="2021-01-01", until="2024-12-31") == [("Texas", "2024-01-01")]
    assert len(changes(country="us")) == 3

    misspelled = client.get("/api/v1/changes/", {"statuss": "banned"})
    assert misspelled.status_code == 400
    assert misspelled.json()["detail"] == (
        "Unknown query parameter: statuss. Valid parameters: page, format, within, country, "
        "substance, status, since, until."
    )
    backwards = client.get("/api/v1/changes/", {"since": "2025-01-01", "until": "2024-01-01"})
    assert backwards.status_code == 400
    assert "since comes after until" in backwards.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/statuses/", "/api/v1/jurisdictions/"])
def test_lists_answer_400_to_unknown_parameters_naming_the_valid_ones(client, url):
    response = client.get(url, {"levle": "state", "page": "1"})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Unknown query parameter: levle. Valid parameters: page, ")
    assert {"page", "format", "level", "country"} <= set(body["valid_parameters"])
    assert client.get(url, {"level": "state", "format": "json"}).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_status_list_runs_a_constant_number_of_queries(
    client, kratom, rows, django_assert_num_queries
):
    for _ in range(rows):
        entry = LegalStatusFactory(substance=kratom)
        entry.sources.add(SourceFactory(), SourceFactory())
        ReviewFlagFactory(legal_status=entry)
    # 1-4 the dataset's last change (entries, entry history, source history, flags),
    # 5 count, 6 the page with jurisdiction, substance and is_stale, 7 the page's sources
    with django_assert_num_queries(7):
        response = client.get("/api/v1/statuses/")
    assert response.json()["count"] == rows
    # Warm: the dataset version and the response come from the cache.
    with django_assert_num_queries(0):
        assert client.get("/api/v1/statuses/").json() == response.json()


@pytest.mark.parametrize("rows", [1, 50])
def test_changes_and_jurisdictions_run_constant_queries(client, rows, django_assert_num_queries):
    for _ in range(rows):
        LegalStatusFactory(effective_from=date(2020, 1, 1))
    # 1-4 the dataset's last change, 5 the published periods with jurisdiction and substance
    with django_assert_num_queries(5):
        assert client.get("/api/v1/changes/").json()["count"] == rows
    # 1 count, 2 the page of jurisdictions with their parents (the dataset version is cached)
    with django_assert_num_queries(2):
        client.get("/api/v1/jurisdictions/")


def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/statuses/" in schema.content
    # The activities are documented, each vocabulary under one name.
    for name in (b"ActivityAnswer:", b"ActivityEnum:", b"ActivityRuleEnum:", b"ProductLimit:"):
        assert name in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in docs.content


def test_lists_carry_validators_and_answer_conditional_requests(client, kratom):
    LegalStatusFactory(substance=kratom)
    first = client.get("/api/v1/statuses/")
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    etag = first["ETag"]

    assert client.get("/api/v1/statuses/", headers={"if-none-match": etag}).status_code == 304
    since = client.get("/api/v1/statuses/", headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    # Another question is another resource.
    assert client.get("/api/v1/statuses/?status=banned")["ETag"] != etag


def test_a_change_to_the_data_changes_the_etag(client, kratom, settings):
    from legality.caching import forget_dataset_version

    entry = LegalStatusFactory(substance=kratom, status="legal")
    before = client.get("/api/v1/statuses/")
    entry.status = "banned"
    entry.save()
    forget_dataset_version()  # otherwise up to DATASET_VERSION_SECONDS later
    after = client.get("/api/v1/statuses/", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after.json()["results"][0]["status"] == "banned"
