"""Stored public answers: served again whole, never across a data change, off when told."""

import pytest

from legality.caching import forget_dataset_version
from tests.factories import LegalStatusFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/statuses/"


def test_a_stored_answer_comes_back_whole_without_queries(
    client, kratom, django_assert_num_queries
):
    LegalStatusFactory(substance=kratom, status="banned")
    first = client.get(URL)
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "X-Frame-Options"):
        assert again[header] == first[header]
    assert not again.cookies


def test_a_stored_answer_is_not_served_after_the_data_changed(client, kratom):
    entry = LegalStatusFactory(substance=kratom, status="legal")
    assert client.get(URL).json()["results"][0]["status"] == "legal"
    entry.status = "banned"
    entry.save()
    forget_dataset_version()
    assert client.get(URL).json()["results"][0]["status"] == "banned"


def test_no_stored_answers_when_the_cache_is_off(
    client, kratom, settings, django_assert_num_queries
):
    settings.PUBLIC_CACHE_SECONDS = 0
    LegalStatusFactory(substance=kratom)
    client.get(URL)
    # 1 count, 2 the page, 3 its sources: the dataset version alone stays cached
    with django_assert_num_queries(3):
        client.get(URL)


def test_the_admin_is_never_stored(client, kratom, django_assert_num_queries):
    client.get("/admin/login/")
    with django_assert_num_queries(0):
        response = client.get("/admin/login/")
    assert "csrftoken" in response.cookies  # rendered afresh, with its own CSRF cookie
