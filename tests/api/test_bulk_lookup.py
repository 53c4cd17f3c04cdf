"""POST /api/v1/lookup/bulk/: many ZIP codes, OCD ids or names, each answered or its own error."""

import csv
import gc
import io
from datetime import date
from decimal import Decimal

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework import serializers

from legality.api.serializers import BulkLookupSerializer
from legality.bulk import MAX_ITEMS, lookup_many_data
from legality.models import LegalStatus, ZipCodeCounty
from tests.factories import LegalStatusFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/bulk/"
ON = date(2026, 6, 1)
Status = LegalStatus.Status


@pytest.fixture
def mississippi(kratom):
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    LegalStatusFactory(
        jurisdiction=state, substance=kratom, status=Status.REGULATED, minimum_age=21
    )
    return state


@pytest.fixture
def lee(mississippi):
    return NamedCountyFactory(parent=mississippi, name="Lee County")


@pytest.fixture
def tupelo(mississippi, lee, kratom):
    town = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])
    LegalStatusFactory(jurisdiction=town, substance=kratom, status=Status.BANNED)
    return town


@pytest.fixture
def zip_38801(mississippi, lee, tupelo):
    zip_code = ZipCodeFactory(code="38801", state=mississippi, county=lee, place=tupelo)
    ZipCodeCounty.objects.create(zip_code=zip_code, county=lee, land_share=1, position=0)
    return zip_code


def post(client, body, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{URL}?{query}", body, content_type="application/json")


def test_each_item_gets_its_answer_or_its_own_error(client, zip_38801, tupelo):
    response = post(
        client,
        ["38801", tupelo.ocd_id, "Tupelo, MS", "99999", "ocd-division/country:us/state:zz"],
        substance="kratom",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["errors"]) == (5, 2)
    by_zip, by_ocd, by_name, unknown_zip, unknown_ocd = body["items"]
    assert by_zip["place"]["ocd_id"] == tupelo.ocd_id
    assert by_zip["approximate"] is True and by_zip["zip_code"] == "38801"
    assert by_zip["results"] == [
        {
            "substance": "kratom",
            "status": "banned",
            "strictest": "banned",
            "varies": True,  # outside Tupelo's limits, unincorporated Lee County is regulated
            "minimum_age": 21,
            "minimum_age_set_by": tupelo.parent.ocd_id,
            "decided_by": tupelo.ocd_id,
            "due_for_rechecking": False,
            "unverified": False,
            "last_verified_at": by_zip["results"][0]["last_verified_at"],
        }
    ]
    assert by_ocd["approximate"] is False and by_ocd["matched_by"] == "ocd_id"
    assert by_name["results"][0]["status"] == "banned"
    assert by_name["results"][0]["varies"] is False
    assert "no such US ZIP code" in unknown_zip["error"]["detail"]
    assert "OCD id" in unknown_ocd["error"]["detail"]


def test_an_ambiguous_name_lists_its_candidates(client, mississippi, kratom):
    NamedPlaceFactory.create_batch(
        2,
        parent=mississippi,
        name="Springfield",
        ocd_id=factory.Iterator(
            [f"{mississippi.ocd_id}/place:springfield", f"{mississippi.ocd_id}/place:springfield_2"]
        ),
        population=factory.Iterator([500, 400]),
    )

    response = post(client, {"items": ["Springfield"], "as_of": "2026-06-01"})

    error = response.json()["items"][0]["error"]
    assert "several places" in error["detail"]
    assert len(error["matches"]) == 2


def test_a_list_of_zip_codes_costs_the_same_queries_for_1_and_for_1000(
    client, django_assert_num_queries, mississippi, lee, tupelo
):
    other = NamedCountyFactory(parent=mississippi, name="Pontotoc County")
    codes = [f"{n:05d}" for n in range(38000, 38000 + MAX_ITEMS)]
    zip_codes = ZipCodeFactory.create_batch(
        MAX_ITEMS, code=factory.Iterator(codes), state=mississippi, county=lee, place=tupelo
    )
    ZipCodeCounty.objects.bulk_create(
        ZipCodeCounty(zip_code=z, county=county, land_share=Decimal("0.5"), position=position)
        for z in zip_codes
        for position, county in enumerate((lee, other))
    )
    for items in (codes[:1], codes):
        # 1 the ZIP codes with their place, county and state, and the counties of their
        #   areas with their land shares
        # 2 the substances
        # 3 every jurisdiction involved, with its ancestors
        # 4 the published statuses of every layer, with their review state (subqueries)
        # 5 their sources (through the link table)
        with django_assert_num_queries(5):
            response = post(client, items)
        assert response.json()["count"] == len(items)
    assert {item["results"][0]["status"] for item in response.json()["items"]} == {"banned"}


def test_the_cycle_collector_waits_until_the_items_are_written(client, zip_38801):
    # A thousand items' places, layers and answers are freed by reference counting before the
    # cycle collector runs again (legality.bulk.lookup_many_data): one pass of its youngest
    # generation, over the items' dicts, instead of one after the lookup over all of it and
    # another after the writing.
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    body = ["38801"] * MAX_ITEMS
    gc.collect()
    gc.callbacks.append(count)
    try:
        data = lookup_many_data(body, on=ON)
    finally:
        gc.callbacks.remove(count)
    assert len(data) == MAX_ITEMS
    assert collections == [0]
    assert gc.isenabled()

    gc.disable()  # off before, off after
    try:
        lookup_many_data(body, on=ON)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_more_than_the_limit_is_refused_with_the_limit_stated(client, mississippi):
    response = post(client, ["38801"] * (MAX_ITEMS + 1))

    assert response.status_code == 413
    assert "at most 1,000 items" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "params", "reason"),
    [
        ({"items": []}, {}, "items"),
        ({"items": "38801"}, {}, "items"),
        (["38801"], {"as_of": "June"}, "as_of"),
        (["38801"], {"substance": "kava"}, "kava"),
        (5, {}, "JSON list"),
        ("null", {}, "JSON list"),  # a str body is sent as it is
    ],
)
def test_bad_requests_say_why(client, mississippi, body, params, reason):
    response = post(client, body, **params)

    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_empty_and_overlong_items_are_their_own_errors(client, zip_38801):
    response = post(client, ["", "x" * 300, "38801"])

    empty, overlong, found = response.json()["items"]
    assert "empty" in empty["error"]["detail"]
    assert "at most 200 characters" in overlong["error"]["detail"]
    assert found["results"]


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_in_gives_csv_out(client, zip_38801, tupelo):
    body = "zip,order\r\n38801,A-1\r\n99999,A-2\r\n"

    response = client.post(URL, body, content_type="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    found = rows(response)
    # kratom and 7-oh (Tupelo's kratom ban covers it) for the known ZIP code, one error row
    # for the unknown one
    assert [(r["query"], r["substance"], r["status"]) for r in found] == [
        ("38801", "kratom", "banned"),
        ("38801", "7-oh", "banned"),
        ("99999", "", ""),
    ]
    assert found[0]["varies"] == "true" and found[0]["ocd_id"] == tupelo.ocd_id
    assert "no such US ZIP code" in found[2]["error"]


def test_a_csv_file_upload_without_header_reads_the_first_column(client, zip_38801):
    upload = SimpleUploadedFile("zips.csv", b"38801,first order\r\n38801-1234\r\n")

    response = client.post(URL, {"file": upload, "substance": "kratom"})

    assert response.status_code == 200
    assert [(r["query"], r["status"]) for r in rows(response)] == [
        ("38801", "banned"),
        ("38801-1234", "banned"),
    ]


def test_the_bulk_lookup_has_its_own_throttle(client, settings, zip_38801):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"bulk_lookup": "2/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        statuses = [post(client, ["38801"]).status_code for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [200, 200, 429]


def test_a_binary_upload_answers_400_with_a_reason(client, kratom):
    # Found by the schema fuzz: a PNG in the multipart `file` field was a 500.
    png = SimpleUploadedFile("file.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "image/png")

    response = client.post(URL, {"file": png})

    assert response.status_code == 400
    assert "not a CSV text file" in response.content.decode()  # CSV in, CSV out


def test_an_item_that_is_not_text_answers_400_naming_it(client, kratom):
    # Found by the schema fuzz: {"items": [{}]} was a 500 while wording the error.
    response = post(client, {"items": [{}]})

    assert response.status_code == 400
    assert response.json()["detail"] == "items: 0: Not a valid string."


def test_options_is_not_described(client, kratom):
    assert client.options(URL, {"format": "csv"}).status_code == 405


@example(["38801", "a\x00b"])
@example(["\x00"])
@example([" Tupelo, MS ", "caf\u00e9", "\ud800"])
@example([3, ""])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.text(alphabet=st.characters(codec="ascii"), max_size=12),
            st.integers(),
            st.booleans(),
            st.none(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_items_field_reads_every_list_as_drfs_own_list_of_charfields(items):
    # PlainTextListField takes plain ASCII strings at once: the same result or the same errors.
    drf_own = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False)
    )
    ours = BulkLookupSerializer().fields["items"]

    def read(field):
        try:
            return "valid", field.run_validation(items)
        except serializers.ValidationError as error:
            return "invalid", error.detail

    assert read(ours) == read(drf_own)
