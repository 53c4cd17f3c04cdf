"""The API against its own OpenAPI schema (schemathesis): every generated request, valid or
not, gets a documented status code with a body and content type true to the schema, never a 5xx.

FUZZ_EXAMPLES sets the cases per operation (CI runs enough for well over 1,000 in all and sets
FUZZ_MIN_CASES to check that they ran).

The cases are derandomized: the same schema gives the same cases on every run, so CI does not turn
red on one run and green on the next. schemathesis' negative-data check can report a 200 for a
request it never sent (schemathesis/schemathesis#4600, #4332): a CI run once failed on
`GET /api/v1/jurisdictions/?parent=<control characters>`, which answers 400 when replayed. A change
to the schema or the app changes the cases, so new paths are still explored.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import LegalStatusFactory, SourceFactory, ZipCodeFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
MIN_CASES = int(os.environ.get("FUZZ_MIN_CASES", "0"))
CASES: Counter[str] = Counter()

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def places(kratom, seven_oh, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})
    # schemathesis calls the WSGI app itself: as Django's test client does, keep the request
    # signals from closing the test's connection (it is inside the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    lee = NamedCountyFactory(parent=state, name="Lee County")
    tupelo = NamedPlaceFactory(parent=state, name="Tupelo", counties=[lee])
    ZipCodeFactory(code="38804", county=lee, postal_city="Tupelo", place=tupelo)
    source = SourceFactory(url="", citation="Miss. Code § 41-29-113")
    LegalStatusFactory(jurisdiction=state, substance=kratom, status="legal", sources=[source])
    LegalStatusFactory(
        jurisdiction=tupelo, substance=kratom, status="banned", minimum_age=None, sources=[source]
    )
    LegalStatusFactory(jurisdiction=lee, substance=seven_oh, status="regulated", minimum_age=21)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_answers_as_its_schema_says(case, places):
    CASES[case.operation.label] += 1
    # Rules between two query parameters, which OpenAPI cannot state: the lookup takes q or
    # ocd_id, not both; the changes' since may not come after until. There a schema-valid request
    # may rightly get a 400 (still checked: documented, in the Error shape, never a 5xx). The bulk
    # lookup's substance must be one the database tracks (substances are rows, not a fixed enum).
    between_parameters = ("/api/v1/lookup/", "/api/v1/changes/", "/api/v1/lookup/bulk/")
    excluded = [positive_data_acceptance] if case.operation.path in between_parameters else []
    case.call_and_validate(excluded_checks=excluded)


def test_enough_cases_ran():
    if MIN_CASES:
        assert sum(CASES.values()) >= MIN_CASES, CASES
    print(f"\nschemathesis: {sum(CASES.values())} cases", dict(CASES))
