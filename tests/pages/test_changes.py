"""/changes/ and the Atom feeds: status changes of published entries, newest first."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from legality.models import LegalStatus
from tests.factories import LegalStatusFactory
from tests.geo_factories import NamedPlaceFactory

from .conftest import text

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BANNED = LegalStatus.Status.BANNED
REGULATED = LegalStatus.Status.REGULATED


def atom_entries(response) -> list[ET.Element]:
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text
    assert root.find(f"{ATOM}updated").text
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:  # what RFC 4287 requires of every entry
        assert entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/j/")
    return entries


def test_changes_page_lists_status_changes_newest_first(client, kratom, mississippi, tupelo):
    entry = LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=REGULATED)
    entry.status = BANNED
    entry.save()
    entry.last_verified_at = date(2026, 3, 1)
    entry.save()  # re-verified, same law: not a change
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=BANNED, is_published=False)

    response = client.get("/changes/")

    assert response.status_code == 200
    rows = text(response).split("In force", 1)[1]
    assert rows.count("Mississippi") == 2
    assert rows.index("Banned (was regulated)") < rows.index("Regulated")
    assert "Tupelo" not in rows  # unpublished


def test_a_deleted_entry_is_a_change(client, kratom, mississippi):
    entry = LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=BANNED)
    entry.delete()
    assert "entry removed" in text(client.get("/changes/"))


def test_changes_page_is_paginated_in_constant_queries(
    client, kratom, mississippi, django_assert_num_queries
):
    for n in range(60):
        place = NamedPlaceFactory(parent=mississippi, name=f"Town {n}")
        LegalStatusFactory(jurisdiction=place, substance=kratom, status=BANNED)

    # 1-4 the dataset's last change, 5 count, 6 the page of changes with jurisdiction, substance
    with django_assert_num_queries(6):
        first = client.get("/changes/")
    assert "Page 1 of 2" in text(first)
    second = client.get("/changes/", {"page": 2})
    assert "Town 0" in text(second)
    assert "Town 0" not in text(first)


def test_site_feed_is_valid_atom(client, kratom, mississippi, tupelo, django_assert_num_queries):
    entry = LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        summary="Sales to adults only.",
        internal_notes="curators only",
    )
    entry.status = BANNED
    entry.save()
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
    )

    # 1-4 the dataset's last change, 5 the newest status changes with jurisdiction and substance
    with django_assert_num_queries(5):
        response = client.get("/changes/feed/")

    entries = atom_entries(response)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == [
        "Kratom in Tupelo: banned",
        "Kratom in Mississippi: banned (was regulated)",
        "Kratom in Mississippi: regulated, 21 and over",
    ]
    assert "In force: since February 2026." in entries[0].find(f"{ATOM}summary").text
    assert b"curators only" not in response.content
    assert response["Cache-Control"] == "public, max-age=300"


def test_jurisdiction_feed_has_the_changes_of_every_layer(
    client, kratom, mississippi, lee, tupelo, django_assert_num_queries
):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status=REGULATED)
    LegalStatusFactory(jurisdiction=lee, substance=kratom, status=BANNED, applies_to="whole")
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=BANNED)
    other = NamedPlaceFactory(parent=mississippi, name="Oxford")
    LegalStatusFactory(jurisdiction=other, substance=kratom, status=BANNED)

    client.get("/changes/feed/")  # the dataset version is now cached
    # 1 the jurisdiction with its parent chain, 2 the changes of it, its chain and its counties
    with django_assert_num_queries(2):
        response = client.get(f"/j/{tupelo.ocd_id}/feed/")

    titles = {e.find(f"{ATOM}title").text for e in atom_entries(response)}
    assert titles == {
        "Kratom in Mississippi: regulated",
        "Kratom in Lee County: banned",
        "Kratom in Tupelo: banned",
    }
    assert client.get("/j/ocd-division/country:us/state:zz/feed/").status_code == 404


def test_feeds_are_linked_from_the_pages(client, kratom, tupelo):
    assert b'type="application/atom+xml"' in client.get("/changes/").content
    page = client.get(f"/j/{tupelo.ocd_id}/")
    assert f'href="/j/{tupelo.ocd_id}/feed/"'.encode() in page.content
