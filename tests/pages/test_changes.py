"""/changes/ and the Atom feeds: when the law changed, from the periods, newest first."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from legality.models import LegalStatus
from tests.factories import LegalStatusFactory
from tests.geo_factories import NamedPlaceFactory, UsStateFactory

from .conftest import text

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BANNED = LegalStatus.Status.BANNED
REGULATED = LegalStatus.Status.REGULATED
RESTRICTED = LegalStatus.Status.RESTRICTED
LEGAL = LegalStatus.Status.LEGAL


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


def test_changes_page_lists_when_the_law_changed_newest_first(client, kratom, mississippi, tupelo):
    # Recorded today, all of them: the page still dates each change by the law.
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
        last_verified_at=date(2026, 3, 1),
    )
    LegalStatusFactory(
        jurisdiction=mississippi, substance=kratom, status=LEGAL, effective_until=date(2025, 7, 1)
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
    )
    LegalStatusFactory(  # before the ban, so no two periods overlap (PostgreSQL refuses that)
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        effective_from=date(2011, 3, 3),
        effective_until=date(2026, 2, 1),
    )  # unpublished below: never shown
    LegalStatus.objects.filter(effective_from=date(2011, 3, 3)).update(is_published=False)

    response = client.get("/changes/")

    assert response.status_code == 200
    rows = text(response).split("Recorded on", 1)[1]
    assert rows.index("February 2026 Tupelo Kratom no rule of its own → banned") < rows.index(
        "1 July 2025 Mississippi Kratom legal → regulated, 21 and over"
    )
    assert "2011" not in rows


def test_upcoming_changes_are_apart_and_filters_narrow_the_list(client, kratom, seven_oh):
    ohio = UsStateFactory(name="Ohio", postal_code="OH")
    texas = UsStateFactory(name="Texas", postal_code="TX")
    LegalStatusFactory(
        jurisdiction=ohio, substance=kratom, status=RESTRICTED, effective_from=date(2025, 12, 12)
    )
    LegalStatusFactory(
        jurisdiction=texas, substance=seven_oh, status=BANNED, effective_from=date(2999, 1, 1)
    )

    everything = text(client.get("/changes/"))
    coming, past = everything.split("Changes so far")
    assert "from 1 January 2999 Texas 7-OH no rule of its own → banned" in coming
    assert "12 December 2025 Ohio Kratom no rule of its own → restricted" in past

    ohio_only = text(client.get("/changes/", {"within": ohio.ocd_id}))
    assert "Ohio Kratom" in ohio_only and "Texas" not in ohio_only.split("Filter")[1]
    assert "No change matches" in text(
        client.get("/changes/", {"status": "banned", "until": "2030-01-01"})
    )
    bad = client.get("/changes/", {"since": "yesterday"})
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in text(bad)


def test_changes_page_is_paginated_in_constant_queries(
    client, kratom, mississippi, django_assert_num_queries
):
    for n in range(60):
        place = NamedPlaceFactory(parent=mississippi, name=f"Town {n}")
        LegalStatusFactory(
            jurisdiction=place,
            substance=kratom,
            status=BANNED,
            effective_from=date(2020, 1, 1) + timedelta(days=n),
        )

    # 1-4 the dataset's last change, 5 the states and countries and 6 the substances for the
    # filters, 7 the published periods with jurisdiction and substance
    with django_assert_num_queries(7):
        first = client.get("/changes/")
    assert "Page 1 of 2" in text(first)
    second = client.get("/changes/", {"page": 2})
    assert "Town 0" in text(second)
    assert "Town 0 " not in text(first)


def test_site_feed_is_valid_atom(client, kratom, mississippi, tupelo, django_assert_num_queries):
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=REGULATED,
        minimum_age=21,
        summary="Sales to adults only.",
        internal_notes="curators only",
        effective_from=date(2025, 7, 1),
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=BANNED,
        summary="Banned in town.",
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
        effective_until=date(2026, 7, 1),
    )

    # 1-4 the dataset's last change, 5 the published periods with jurisdiction and substance
    with django_assert_num_queries(5):
        response = client.get("/changes/feed/")

    entries = atom_entries(response)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == [
        "Tupelo: banned → rule ended (Kratom), 1 July 2026",
        "Tupelo: no rule of its own → banned (Kratom), February 2026",
        "Mississippi: no rule of its own → regulated, 21 and over (Kratom), 1 July 2025",
    ]
    assert entries[1].find(f"{ATOM}summary").text == "Banned in town. In force until 30 June 2026."
    assert b"curators only" not in response.content
    assert response["Cache-Control"] == "public, max-age=300"


def test_jurisdiction_feed_has_the_changes_of_every_layer(
    client, kratom, mississippi, lee, tupelo, django_assert_num_queries
):
    day = date(2024, 1, 1)
    LegalStatusFactory(
        jurisdiction=mississippi, substance=kratom, status=REGULATED, effective_from=day
    )
    LegalStatusFactory(
        jurisdiction=lee, substance=kratom, status=BANNED, applies_to="whole", effective_from=day
    )
    LegalStatusFactory(jurisdiction=tupelo, substance=kratom, status=BANNED, effective_from=day)
    other = NamedPlaceFactory(parent=mississippi, name="Oxford")
    LegalStatusFactory(jurisdiction=other, substance=kratom, status=BANNED, effective_from=day)

    client.get("/changes/feed/")  # the dataset version is now cached
    # 1 the jurisdiction with its parent chain, 2 its counties, 3 the changes of those layers
    with django_assert_num_queries(3):
        response = client.get(f"/j/{tupelo.ocd_id}/feed/")

    titles = {e.find(f"{ATOM}title").text for e in atom_entries(response)}
    assert titles == {
        "Mississippi: no rule of its own → regulated (Kratom), 1 January 2024",
        "Lee County: no rule of its own → banned (Kratom), 1 January 2024",
        "Tupelo: no rule of its own → banned (Kratom), 1 January 2024",
    }
    assert client.get("/j/ocd-division/country:us/state:zz/feed/").status_code == 404


def test_feeds_are_linked_from_the_pages(client, kratom, tupelo):
    assert b'type="application/atom+xml"' in client.get("/changes/").content
    page = client.get(f"/j/{tupelo.ocd_id}/")
    assert f'href="/j/{tupelo.ocd_id}/feed/"'.encode() in page.content
