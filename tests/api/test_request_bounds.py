"""Bounded work per request, pages and API alike: limits on what a reader may type, a property
that no query string makes a lookup issue more statements than pinned, and the API's throttle."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.throttling import AnonRateThrottle

from legality.caching import dataset_last_changed
from legality.input_limits import MAX_QUERY_LENGTH, MAX_QUERY_PARTS
from tests.factories import LegalStatusFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

pytestmark = pytest.mark.django_db

# The lookup with the dataset version warm: 1 find_place, 2 the substances, 3 the counties the
# place (or the ZIP code's area) lies in, 4 the place and its counties with their parent chains,
# 5 the statuses of every layer, 6 their sources (the set-based loader of issue 14).
LOOKUP_STATEMENTS_AT_MOST = 6
# /search/: 1 find_place (the page redirects or lists the candidates), 2 for a place that matches
# nothing, the candidates of "did you mean" (legality.geography.suggestions).
SEARCH_STATEMENTS_AT_MOST = 2


@pytest.fixture
def places(kratom):
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    lee = NamedCountyFactory(parent=state, name="Lee County")
    tupelo = NamedPlaceFactory(parent=state, name="Tupelo", counties=[lee])
    NamedPlaceFactory(parent=state, name="Springfield")
    ZipCodeFactory(code="38804", county=lee, postal_city="Tupelo", place=tupelo)
    LegalStatusFactory(jurisdiction=state, substance=kratom, status="legal")
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status="banned")
    return state


WORDS = ["Tupelo", "MS", "Lee County", "Mississippi", "US", "38804", "Springfield", "", " "]
queries = st.one_of(
    st.text(max_size=MAX_QUERY_LENGTH + 20),
    st.lists(st.sampled_from(WORDS), max_size=2000).map(", ".join),
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.from_regex(r"ocd-division/country:[a-z:/_]{0,60}", fullmatch=True),
)


@given(q=queries)
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_query_makes_a_lookup_issue_more_than_its_pinned_statements(client, settings, places, q):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request does its work: nothing stored
    cache.clear()  # the throttle's counts too: this test makes hundreds of requests
    dataset_last_changed()  # warm, as it is between requests
    with CaptureQueriesContext(connection) as api:
        answer = client.get("/api/v1/lookup/", {"q": q})
    with CaptureQueriesContext(connection) as page:
        found = client.get("/search/", {"q": q})

    assert answer.status_code in (200, 300, 400, 404), answer.content[:300]
    assert found.status_code in (200, 302, 400, 404)
    assert len(api) <= LOOKUP_STATEMENTS_AT_MOST, [query["sql"] for query in api]
    assert len(page) <= SEARCH_STATEMENTS_AT_MOST, [query["sql"] for query in page]


def test_the_comma_query_of_1900_parts_answers_400_without_touching_the_database(
    client, places, django_assert_num_queries
):
    q = ", ".join(["Tupelo"] * 1900)
    with django_assert_num_queries(0):
        api = client.get("/api/v1/lookup/", {"q": q})
        page = client.get("/search/", {"q": q})
    assert api.status_code == page.status_code == 400
    assert "parameter “q” is longer than 300" in api.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/lookup/", "/search/"])
def test_too_many_parts_and_too_long_queries_answer_400_with_the_reason(client, places, url):
    parts = client.get(url, {"q": ", ".join(["Tupelo"] * (MAX_QUERY_PARTS + 1))})
    long = client.get(url, {"q": "T" * (MAX_QUERY_LENGTH + 1)})
    ok = client.get(url, {"q": "Tupelo, Mississippi"})

    assert parts.status_code == long.status_code == 400
    assert "6 comma-separated parts; give at most 5" in parts.content.decode()
    assert "at most 200" in long.content.decode()
    assert ok.status_code in (200, 302)


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=Tupelo%00",
        "/api/v1/lookup/?q=Tup%00elo",
        "/api/v1/statuses/?jurisdiction=ocd-division%00",
        "/j/ocd-division/country:us%00/",
        "/api/v1/jurisdictions/ocd-division/country:us%00/",
        "/search/?q=Tupelo%0D%0ASet-Cookie:x",
        # Repeated: every value is checked, not only the last one a filter reads.
        "/api/v1/jurisdictions/?format=&parent=o%EA%B3%84%18%C2%84&parent=%C2%8Fi%C2%90",
        "/api/v1/jurisdictions/?parent=%C2%8F&parent=ocd-division/country:us",
    ],
)
def test_control_characters_answer_400_on_pages_and_api(client, places, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json"


def test_the_api_throttles_each_client_with_429_and_retry_after(
    client, settings, monkeypatch, places
):
    # DRF reads the rates once, at import: the class attribute is what a test can lower.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    settings.PUBLIC_CACHE_SECONDS = 0  # stored answers are served before DRF, unthrottled

    codes = [client.get("/api/v1/lookup/", {"q": "Tupelo"}).status_code for _ in range(4)]
    throttled = client.get("/api/v1/jurisdictions/")
    other_client = client.get("/api/v1/jurisdictions/", REMOTE_ADDR="192.0.2.7")

    assert codes == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "throttled" in throttled.json()["detail"].lower()
    assert other_client.status_code == 200


def test_a_utc_offset_postgresql_cannot_store_is_read_as_utc_not_a_500(client, places):
    # +16:00 is valid ISO 8601 (offsets run to ±23:59); timestamptz takes up to ±15:59.
    url, name = "/api/v1/statuses/", "changed_since"
    later = client.get(url, {name: "2100-01-01T12:00:00+16:00"})
    earlier = client.get(url, {name: "2000-01-01T00:00:00+16:00"})

    assert later.status_code == earlier.status_code == 200
    assert later.json()["count"] == 0 < earlier.json()["count"]
