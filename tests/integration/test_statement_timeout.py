"""PostgreSQL: a web request's statements are bounded by WEB_STATEMENT_TIMEOUT (503 past it);
the limit ends with the request, so workers, commands and migrations never have it."""

import psycopg
import pytest
from django.db import connection

from tests.geo_factories import UsStateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def other_connection() -> psycopg.Connection:
    return connection.get_new_connection(connection.get_connection_params())


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_a_statement_past_the_timeout_answers_503_with_a_reason(client, settings):
    settings.WEB_STATEMENT_TIMEOUT = 0.2
    settings.PUBLIC_CACHE_SECONDS = 0
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    client.get("/api/v1/lookup/", {"ocd_id": state.ocd_id})  # warm the dataset version
    # Another session holds the jurisdictions table: the lookup's first statement waits on it.
    blocker = other_connection()
    try:
        blocker.execute("LOCK TABLE legality_jurisdiction IN ACCESS EXCLUSIVE MODE")
        api = client.get("/api/v1/lookup/", {"ocd_id": state.ocd_id})
        page = client.get(f"/j/{state.ocd_id}/")
    finally:
        blocker.rollback()
        blocker.close()

    assert api.status_code == page.status_code == 503
    assert api["Retry-After"] == page["Retry-After"] == "30"
    assert "took too long" in api.json()["detail"]
    assert "took too long" in page.content.decode()
    # The next request, on the same connection, works: the failed transaction was rolled back.
    assert client.get("/api/v1/lookup/", {"ocd_id": state.ocd_id}).status_code == 200


def test_the_timeout_ends_with_the_request(client, settings):
    settings.WEB_STATEMENT_TIMEOUT = 2.5
    default = statement_timeout()

    client.get("/api/v1/jurisdictions/")

    assert default == statement_timeout() == "0"  # what commands and workers run with
