"""The status badge: an SVG other sites embed, with the status, the age and the verified date."""

import re
from datetime import date
from xml.etree import ElementTree

import pytest
import time_machine

from legality.caching import forget_dataset_version
from legality.models import LegalStatus
from tests.factories import LegalStatusFactory
from tests.geo_factories import OcdAliasFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def badge(client, jurisdiction_or_id, **params):
    ocd_id = getattr(jurisdiction_or_id, "ocd_id", jurisdiction_or_id)
    return client.get(f"/badge/{ocd_id}.svg", params)


def texts(response) -> list[str]:
    root = ElementTree.fromstring(response.content)
    return [element.text for element in root.iter(f"{SVG}text")]


def links(response) -> set[str]:
    root = ElementTree.fromstring(response.content)
    return {element.get(f"{XLINK}href") for element in root.iter(f"{SVG}a")}


@time_machine.travel(date(2026, 12, 1))
def test_badge_says_status_age_and_verified_date_and_links_to_the_page(
    client, kratom, mississippi, settings
):
    settings.SITE_URL = "https://tracker.example"
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=LegalStatus.Status.REGULATED,
        minimum_age=21,
        last_verified_at=date(2026, 11, 25),
    )

    response = badge(client, mississippi)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "Kratom · Mississippi" in texts(response)
    assert "regulated 21+ · verified 2026-11-25" in texts(response)
    assert links(response) == {f"https://tracker.example/j/{mississippi.ocd_id}/"}
    title = ElementTree.fromstring(response.content).find(f"{SVG}title").text
    assert title.endswith("Not legal advice.")


@time_machine.travel(date(2026, 12, 1))
def test_city_ban_badge_shows_no_age_from_the_state(client, kratom, mississippi, tupelo):
    LegalStatusFactory(
        jurisdiction=mississippi, substance=kratom, status="regulated", minimum_age=21
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=LegalStatus.Status.BANNED,
        unverified=True,
        last_verified_at=date(2026, 11, 20),
    )

    words = texts(badge(client, tupelo))

    assert "banned · unverified · verified 2026-11-20" in words
    assert not any("21" in w for w in words)


def test_unknown_is_grey_and_never_legal(client, kratom, mississippi):
    response = badge(client, mississippi)

    assert "no entry · check locally" in texts(response)
    assert not any("legal" in w for w in texts(response))
    assert b'fill="#555555"' in response.content


def test_seven_oh_badge_by_query_parameter(client, seven_oh, mississippi):
    LegalStatusFactory(jurisdiction=mississippi, substance=seven_oh, status="banned")

    response = badge(client, mississippi, substance="7-oh")

    assert any(w.startswith("7-OH") and "Mississippi" in w for w in texts(response)), texts(
        response
    )
    assert any(w.startswith("banned") for w in texts(response))


def test_unknown_substance_answers_400_in_plain_text(client, mississippi):
    response = badge(client, mississippi, substance="coffee")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "coffee" in response.content.decode()


def test_unknown_place_answers_404_in_plain_text(client, db):
    response = badge(client, "ocd-division/country:us/state:zz")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


def test_alias_redirects_to_the_canonical_badge(client, kratom, mississippi):
    alias = OcdAliasFactory(jurisdiction=mississippi, ocd_id="ocd-division/country:us/state:mss")

    response = badge(client, alias.ocd_id, substance="kratom")

    assert response.status_code == 301
    assert response["Location"] == f"/badge/{mississippi.ocd_id}.svg?substance=kratom"


def test_badge_is_cacheable_with_an_etag_and_answers_304(client, kratom, mississippi):
    LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status="legal")

    first = badge(client, mississippi)
    again = client.get(f"/badge/{mississippi.ocd_id}.svg", headers={"if-none-match": first["ETag"]})

    assert first["ETag"]
    assert "public" in first["Cache-Control"]
    assert again.status_code == 304


def test_badge_changes_its_etag_when_the_entry_changes(client, kratom, mississippi):
    entry = LegalStatusFactory(jurisdiction=mississippi, substance=kratom, status="legal")
    first = badge(client, mississippi)

    entry.status = LegalStatus.Status.BANNED
    entry.save()
    forget_dataset_version()  # as a curator's write through curation.py does
    second = badge(client, mississippi)

    assert second["ETag"] != first["ETag"]
    assert any(w.startswith("banned") for w in texts(second))


def test_jurisdiction_page_offers_a_copy_paste_snippet(client, kratom, seven_oh, tupelo, settings):
    settings.SITE_URL = "https://tracker.example"

    response = client.get(f"/j/{tupelo.ocd_id}/")

    body = response.content.decode()
    snippet = re.search(r'<textarea id="badge-kratom"[^>]*>(.*?)</textarea>', body, re.S)[1]
    assert f"&lt;a href=&quot;https://tracker.example/j/{tupelo.ocd_id}/&quot;&gt;" in snippet
    assert f"https://tracker.example/badge/{tupelo.ocd_id}.svg?substance=kratom" in snippet
    assert 'id="badge-7-oh"' in body
