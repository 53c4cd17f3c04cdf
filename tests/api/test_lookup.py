"""GET /api/v1/lookup/: one place on one date, every layer, its sources and what comes next."""

from datetime import date

import factory
import pytest

from legality.api.serializers import LookupQuerySerializer
from legality.models import LegalStatus, ZipCodeCounty
from tests.factories import (
    LegalStatusFactory,
    ReviewFlagFactory,
    SourceFactory,
    ZipCodeFactory,
    create_period_history,
)
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory
from tests.pages.conftest import text

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/"
BANNED = LegalStatus.Status.BANNED
REGULATED = LegalStatus.Status.REGULATED


@pytest.fixture
def mississippi():
    return UsStateFactory(name="Mississippi", postal_code="MS")


@pytest.fixture
def lee(mississippi):
    return NamedCountyFactory(parent=mississippi, name="Lee County")


@pytest.fixture
def tupelo(mississippi, lee):
    return NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])


def lookup(client, **params):
    return client.get(URL, params)


def test_the_answer_has_the_documented_shape(client, kratom, mississippi, tupelo):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
        summary="Sales to anyone under 21 are banned.",
        sources=[SourceFactory(title="HB 1077", url="https://ms.example/hb1077", citation="")],
        sale_rule="age_limited",
        possession_rule="allowed",
        use_rule="allowed",
        manufacture_rule="conditions",
        distribution_rule="age_limited",
        import_rule="not_addressed",
        minimum_age_applies_to=["sale", "distribution"],
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
        effective_until=date(2027, 1, 1),
        last_verified_at=date(2026, 3, 1),
        summary="The city council banned kratom.",
        sources=[SourceFactory(title="Ordinance 2026-4", url="", citation="Tupelo Code § 9")],
        sale_rule="prohibited",
        possession_rule="prohibited",
        use_rule="not_addressed",
        manufacture_rule="unknown",
        distribution_rule="prohibited",
        import_rule="not_addressed",
        product_limits=[{"kind": "other", "text": "No kratom bars."}],
        penalty="A $500 fine.",
    )

    response = lookup(client, q="Tupelo, MS", as_of="2026-06-01", substance="kratom")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "as_of": "2026-06-01",
        "place": {"ocd_id": tupelo.ocd_id, "name": "Tupelo", "level": "place"},
        "matched_by": "name",
        "approximate": False,
        "zip_code": None,
        "zip_counties": [],
        "alternatives": [],
        "city": None,
        "results": [body["results"][0]],
    }
    result = body["results"][0]
    assert {k: v for k, v in result.items() if k not in ("layers", "upcoming", "activities")} == {
        "substance": "kratom",
        "status": "banned",
        "minimum_age": 21,  # the highest age that applies: the state's
        "minimum_age_set_by": mississippi.ocd_id,  # a condition of the state, not the city's
        "decided_by": tupelo.ocd_id,
        "last_verified_at": "2026-03-01",
        "stale": False,
        "unverified": False,
        "assumptions": [],
        "varies": False,
        "strictest": "banned",
        "elsewhere": [],
    }
    # Each activity: the most restrictive layer that addresses it decides.
    assert result["activities"] == [
        {
            "activity": "sale",
            "rule": "prohibited",
            "decided_by": tupelo.ocd_id,
            "minimum_age": None,
        },
        {
            "activity": "possession",
            "rule": "prohibited",
            "decided_by": tupelo.ocd_id,
            "minimum_age": None,
        },
        {
            "activity": "use",
            "rule": "allowed",
            "decided_by": mississippi.ocd_id,
            "minimum_age": None,
        },
        {
            "activity": "manufacture",
            "rule": "unknown",  # the state's "conditions" is not the whole story
            "decided_by": tupelo.ocd_id,
            "minimum_age": None,
        },
        {
            "activity": "distribution",
            "rule": "prohibited",
            "decided_by": tupelo.ocd_id,
            "minimum_age": None,
        },
        {"activity": "import", "rule": "not_addressed", "decided_by": None, "minimum_age": None},
    ]
    assert result["layers"][1]["minimum_age_applies_to"] == ["sale", "distribution"]
    # Broadest first: the country (no entry), the state, Lee County (no entry), the city.
    assert [layer["ocd_id"] for layer in result["layers"]] == [
        mississippi.parent.ocd_id,
        mississippi.ocd_id,
        tupelo.counties.get().ocd_id,
        tupelo.ocd_id,
    ]
    assert result["layers"][3] == {
        "ocd_id": tupelo.ocd_id,
        "name": "Tupelo",
        "level": "place",
        "status": "banned",
        "minimum_age": None,
        "standing": "applies",
        "effective_from": "2026-02-01",
        "effective_from_precision": "month",  # "since February 2026", not the 1st
        "effective_until": "2026-12-31",  # the last day in force; stored as 2027-01-01
        "summary": "The city council banned kratom.",
        "unverified": False,
        "last_verified_at": "2026-03-01",
        "stale": False,
        "approximate": False,
        "applies_to": None,
        "notes": [],
        "assumptions": [],
        "activities": {
            "sale": "prohibited",
            "possession": "prohibited",
            "use": "not_addressed",
            "manufacture": "unknown",
            "distribution": "prohibited",
            "import": "not_addressed",
        },
        "minimum_age_applies_to": [],
        "product_limits": [{"kind": "other", "text": "No kratom bars."}],
        "penalty": "A $500 fine.",
        "sources": [
            {
                "title": "Ordinance 2026-4",
                "url": None,
                "citation": "Tupelo Code § 9",
                "publisher": "State legislature",
                "kind": "statute",
                "published_on": "2024-01-01",
            }
        ],
    }
    assert result["layers"][1]["sources"][0]["url"] == "https://ms.example/hb1077"
    assert result["layers"][0] == {
        "ocd_id": mississippi.parent.ocd_id,
        "name": "United States",
        "level": "country",
        "status": None,
        "minimum_age": None,
        "standing": "no_entry",
        "effective_from": None,
        "effective_from_precision": None,
        "effective_until": None,
        "summary": None,
        "unverified": False,
        "last_verified_at": None,
        "stale": False,
        "approximate": False,
        "applies_to": None,
        "notes": [],
        "assumptions": [],
        "activities": None,
        "minimum_age_applies_to": None,
        "product_limits": None,
        "penalty": None,
        "sources": [],
    }
    # The city's ban ends on 31 December 2026: from 1 January 2027 the city has no entry.
    assert result["upcoming"] == [
        {
            "date": "2027-01-01",
            "precision": "day",
            "ocd_id": tupelo.ocd_id,
            "status": "unknown",
            "minimum_age": None,
        }
    ]


def test_every_substance_by_default_in_public_order(client, kratom, seven_oh, mississippi):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=REGULATED)
    body = lookup(client, ocd_id=mississippi.ocd_id).json()
    assert [result["substance"] for result in body["results"]] == ["kratom", "7-oh"]
    assert body["matched_by"] == "ocd_id"
    assert body["results"][1]["status"] == "unknown"


def test_a_place_no_layer_knows_is_unknown_not_legal(client, kratom, tupelo):
    result = lookup(client, ocd_id=tupelo.ocd_id, substance="kratom").json()["results"][0]
    assert result["status"] == "unknown"
    assert result["decided_by"] is None
    assert result["last_verified_at"] is None
    assert {layer["standing"] for layer in result["layers"]} == {"no_entry"}


def test_as_of_before_and_after_a_change(client, kratom, mississippi):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=LegalStatus.Status.LEGAL,
        effective_until=date(2025, 7, 1),
    )
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
    )

    before = lookup(client, ocd_id=mississippi.ocd_id, substance="kratom", as_of="2025-06-30")
    after = lookup(client, ocd_id=mississippi.ocd_id, substance="kratom", as_of="2025-07-01")

    before_result = before.json()["results"][0]
    assert (before_result["status"], before_result["minimum_age"]) == ("legal", None)
    assert before_result["layers"][1]["effective_until"] == "2025-06-30"
    assert before_result["upcoming"] == [
        {
            "date": "2025-07-01",
            "precision": "day",
            "ocd_id": mississippi.ocd_id,
            "status": "regulated",
            "minimum_age": 21,
        }
    ]
    after_result = after.json()["results"][0]
    assert (after_result["status"], after_result["minimum_age"]) == ("regulated", 21)
    assert after_result["upcoming"] == []


def test_seven_oh_is_banned_by_a_kratom_ban_and_says_so(client, kratom, seven_oh, tupelo):
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=BANNED)

    result = lookup(client, ocd_id=tupelo.ocd_id, substance="7-oh").json()["results"][0]

    assert (result["substance"], result["status"]) == ("7-oh", "banned")
    assert result["decided_by"] == tupelo.ocd_id
    assert result["assumptions"] == ["covered_by_kratom_ban"]
    city = result["layers"][-1]
    assert city["status"] == "banned"
    assert "the kratom ban here covers 7-OH products" in city["notes"]


def test_zip_code_names_the_assumed_place_and_uses_its_own_county(client, kratom, mississippi):
    lee = NamedCountyFactory(parent=mississippi, name="Lee County")
    other = NamedCountyFactory(parent=mississippi, name="Itawamba County")
    tupelo = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee, other])
    ZipCodeFactory(code="38804", postal_city="Tupelo", state=mississippi, county=lee, place=tupelo)
    LegalStatusFactory(jurisdiction=other, substance=kratom, status=BANNED)
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=REGULATED, minimum_age=21)

    body = lookup(client, q="38804", substance="kratom").json()

    assert body["place"]["ocd_id"] == tupelo.ocd_id
    assert body["matched_by"] == "zip_code"
    assert body["approximate"] is True
    assert body["zip_code"] == {
        "code": "38804",
        "postal_city": "Tupelo",
        "state": {"ocd_id": mississippi.ocd_id, "name": "Mississippi", "level": "state"},
        "county": {"ocd_id": lee.ocd_id, "name": "Lee County", "level": "county"},
        "assumed_place": {"ocd_id": tupelo.ocd_id, "name": "Tupelo", "level": "place"},
    }
    result = body["results"][0]
    # The ZIP's own county (Lee), not every county of the assumed place: Itawamba's ban is out.
    assert [layer["name"] for layer in result["layers"]] == [
        "United States",
        "Mississippi",
        "Lee County",
        "Tupelo",
    ]
    assert (result["status"], result["minimum_age"]) == ("regulated", 21)
    assert result["layers"][-1]["approximate"] is True
    assert result["assumptions"] == ["zip_place_approximate"]


def test_county_scope_unknown_still_counts_and_says_so(client, kratom, mississippi, lee, tupelo):
    LegalStatusFactory(jurisdiction=lee, substance=kratom, status=BANNED, applies_to="")

    result = lookup(client, ocd_id=tupelo.ocd_id, substance="kratom").json()["results"][0]

    assert result["status"] == "banned"
    assert result["decided_by"] == lee.ocd_id
    assert result["assumptions"] == ["county_scope_unknown"]
    county = result["layers"][2]
    assert county["applies_to"] is None
    assert county["notes"] == ["may apply only outside city limits"]


def test_unincorporated_only_county_ban_does_not_reach_a_town(client, kratom, mississippi, lee):
    tupelo = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=REGULATED)
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status=BANNED, applies_to="unincorporated"
    )

    town = lookup(client, ocd_id=tupelo.ocd_id, substance="kratom").json()["results"][0]
    county = lookup(client, ocd_id=lee.ocd_id, substance="kratom").json()["results"][0]

    assert (town["status"], town["decided_by"]) == ("regulated", mississippi.ocd_id)
    lee_layer = town["layers"][2]
    assert (lee_layer["standing"], lee_layer["applies_to"]) == ("outside_scope", "unincorporated")
    assert (county["status"], county["decided_by"]) == ("banned", lee.ocd_id)
    assert county["layers"][-1]["applies_to"] == "unincorporated"


def test_restrictive_entry_with_unknown_start_does_not_decide_before_its_evidence(
    client, kratom, mississippi, tupelo
):
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=None,
        last_verified_at=date(2026, 2, 1),
        sources=[SourceFactory(published_on=date(2025, 3, 1), published_precision="month")],
    )

    result = lookup(client, ocd_id=tupelo.ocd_id, substance="kratom", as_of="2010-01-01").json()[
        "results"
    ][0]

    assert result["status"] == "unknown"
    assert result["assumptions"] == ["start_date_unknown"]
    city = result["layers"][-1]
    assert city["standing"] == "start_date_unknown"
    assert city["notes"] == ["start date unknown; in force by March 2025"]


def test_flagged_and_unverified_deciding_entry(client, kratom, mississippi):
    entry = LegalStatusFactory(
        jurisdiction=mississippi, substance=kratom, status=BANNED, unverified=True
    )
    ReviewFlagFactory(legal_status=entry)

    result = lookup(client, ocd_id=mississippi.ocd_id, substance="kratom").json()["results"][0]

    assert (result["stale"], result["unverified"]) == (True, True)
    assert (result["layers"][1]["stale"], result["layers"][1]["unverified"]) == (True, True)


def test_bare_state_name_lists_the_other_readings(client, kratom):
    florida = UsStateFactory(name="Florida", postal_code="FL")
    town = NamedPlaceFactory(
        parent=UsStateFactory(name="New York", postal_code="NY"), name="Florida"
    )

    body = lookup(client, q="Florida", substance="kratom").json()

    assert body["place"]["ocd_id"] == florida.ocd_id
    assert body["alternatives"] == [{"ocd_id": town.ocd_id, "name": "Florida", "level": "place"}]


def test_ambiguous_name_answers_300_with_the_matches(client, kratom):
    illinois = UsStateFactory(name="Illinois", postal_code="IL")
    missouri = UsStateFactory(name="Missouri", postal_code="MO")
    sangamon = NamedCountyFactory(parent=illinois, name="Sangamon County")
    greene = NamedCountyFactory(parent=missouri, name="Greene County")
    smaller = NamedPlaceFactory(
        parent=illinois, name="Springfield", population=114_394, counties=[sangamon]
    )
    larger = NamedPlaceFactory(
        parent=missouri, name="Springfield", population=169_176, counties=[greene]
    )

    response = lookup(client, q="Springfield")

    assert response.status_code == 300
    body = response.json()
    assert set(body) == {"detail", "matches"}
    assert "matches several places" in body["detail"]
    # Largest first, each described in words.
    assert body["matches"] == [
        {
            "ocd_id": larger.ocd_id,
            "name": "Springfield",
            "level": "place",
            "kind": "city",
            "county": "Greene County",
            "state": "Missouri",
            "population": 169_176,
            "description": "Springfield — city in Greene County, Missouri, 169,176 people",
            "city": "",
        },
        {
            "ocd_id": smaller.ocd_id,
            "name": "Springfield",
            "level": "place",
            "kind": "city",
            "county": "Sangamon County",
            "state": "Illinois",
            "population": 114_394,
            "description": "Springfield — city in Sangamon County, Illinois, 114,394 people",
            "city": "",
        },
    ]


def test_no_match_is_a_404_with_a_reason(client, kratom, mississippi):
    response = lookup(client, q="Atlantis")
    assert response.status_code == 404
    assert response.json() == {"detail": "No place matches “Atlantis”."}
    unknown_zip = lookup(client, q="00000")
    assert unknown_zip.status_code == 404
    assert "ZIP code" in unknown_zip.json()["detail"]
    assert lookup(client, ocd_id="ocd-division/country:zz").status_code == 404


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"q": "Mississippi", "as_of": "2026-02-30"}, "as_of: Date has wrong format"),
        ({"q": "Mississippi", "as_of": "tomorrow"}, "as_of"),
        ({"q": "Mississippi", "substance": "coffee"}, "We track no substance called coffee."),
        ({}, "Give either q (what to look up) or ocd_id."),
        ({"q": "Mississippi", "ocd_id": "ocd-division/country:us"}, "Give either q"),
        ({"q": "   "}, "q: This field may not be blank."),
        ({"ocd_id": "Mississippi"}, "ocd_id: An OCD division id starts with"),
    ],
)
def test_bad_input_is_a_400_with_a_reason(client, kratom, mississippi, params, says):
    response = lookup(client, **params)
    assert response.status_code == 400
    assert says in response.json()["detail"]


def test_each_query_check_binds_fields_of_its_own():
    # LookupQuerySerializer copies its declared fields shallowly (DRF deep-copies them).
    first = LookupQuerySerializer(data={"q": "Tupelo, MS", "as_of": "2026-02-30"})
    second = LookupQuerySerializer(data={"ocd_id": "ocd-division/country:us"})
    assert not first.is_valid() and second.is_valid()
    assert first.errors["as_of"][0].startswith("Date has wrong format")
    assert second.validated_data == {"ocd_id": "ocd-division/country:us"}
    for name, field in first.fields.items():
        assert field.parent is first and second.fields[name].parent is second
        declared = LookupQuerySerializer._declared_fields[name]
        assert field is not declared and declared.parent is None and declared.field_name is None


def test_internal_notes_and_unpublished_entries_never_appear(client, kratom, mississippi, tupelo):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        internal_notes="curators only: call the clerk",
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        is_published=False,
        summary="draft ban, not for the public",
    )

    response = lookup(client, ocd_id=tupelo.ocd_id, substance="kratom")

    assert response.json()["results"][0]["status"] == "regulated"
    assert b"curators only" not in response.content
    assert b"draft ban" not in response.content


@pytest.mark.parametrize("size", ["one layer", "many layers"])
def test_lookup_runs_a_constant_number_of_queries(
    client, kratom, seven_oh, size, django_assert_num_queries
):
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    if size == "one layer":
        town = NamedPlaceFactory(parent=state, name="Tupelo")
        create_period_history(town, kratom, periods=1, sources=1)
    else:
        counties = NamedCountyFactory.create_batch(
            3, parent=state, name=factory.Sequence(lambda n: f"County {n}")
        )
        town = NamedPlaceFactory(parent=state, name="Tupelo", counties=counties)
        for where in (state.parent, state, *counties, town):
            create_period_history(where, kratom, periods=5, sources=4)
            create_period_history(where, seven_oh, periods=3, sources=2)

    # 1-4 the dataset's last change (entries, entry history, source history, flags)
    # 5 find_place: the jurisdictions named "Tupelo" or "MS" with their parent chains
    # 6 the substances
    # 7 the counties the town lies in
    # 8 the town and its counties with their parent chains
    # 9 the published statuses of every layer, with their review state (subqueries)
    # 10 their sources (through the link table)
    with django_assert_num_queries(10):
        response = lookup(client, q="Tupelo, MS", as_of="2026-06-01")
    assert response.status_code == 200

    # Warm: the dataset version and the response come from the cache.
    with django_assert_num_queries(0):
        again = lookup(client, q="Tupelo, MS", as_of="2026-06-01")
    assert again.json() == response.json()


def test_lookup_carries_validators_and_answers_conditional_requests(client, kratom, mississippi):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom)
    first = lookup(client, ocd_id=mississippi.ocd_id)
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    repeat = client.get(
        URL, {"ocd_id": mississippi.ocd_id}, headers={"if-none-match": first["ETag"]}
    )
    assert repeat.status_code == 304


def test_schema_documents_the_lookup_and_its_errors(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/lookup/"]["get"]
    assert {"200", "300", "400", "404"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"q", "ocd_id", "as_of", "substance"}


def test_a_zip_code_whose_answer_depends_on_the_side_of_a_line_says_both(
    client, kratom, mississippi, lee
):
    shannon = NamedPlaceFactory(parent=mississippi, name="Shannon", counties=[lee])
    pontotoc = NamedCountyFactory(parent=mississippi, name="Pontotoc County")
    zip_code = ZipCodeFactory(code="38868", state=mississippi, county=lee, place=shannon)
    ZipCodeCounty.objects.create(zip_code=zip_code, county=lee, land_share="0.7423")
    ZipCodeCounty.objects.create(
        zip_code=zip_code, county=pontotoc, land_share="0.1545", position=1
    )
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=REGULATED)
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status=BANNED, applies_to="unincorporated"
    )

    body = lookup(client, q="38868", substance="kratom").json()
    page = text(client.get(f"/j/{shannon.ocd_id}/", {"zip": "38868"}))

    result = body["results"][0]
    assert (result["status"], result["decided_by"]) == ("regulated", mississippi.ocd_id)
    assert (result["varies"], result["strictest"]) == (True, "banned")
    assert result["elsewhere"] == [
        {
            "where": "outside the town limits, in unincorporated Lee County",
            "status": "banned",
            "decided_by": lee.ocd_id,
        }
    ]
    assert body["zip_counties"] == [
        {"ocd_id": lee.ocd_id, "name": "Lee County", "land_share": "0.7423"},
        {"ocd_id": pontotoc.ocd_id, "name": "Pontotoc County", "land_share": "0.1545"},
    ]
    assert (
        "Kratom: Regulated in Shannon — Mississippi law; "
        "banned outside the town limits, in unincorporated Lee County" in page
    )
    assert "Its area spans Lee County (74% of its land), Pontotoc County (15% of its land)" in page
