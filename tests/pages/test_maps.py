"""The map pages: each shape's and dot's colour is the answer the lookup API gives, on any date.

The facts are the shipped dataset's for Mississippi, Lee County, Tupelo and Thailand, with the
census codes the loader stores, so the shapes are the real us-atlas and world-atlas ones.
"""

import html
import re
from datetime import date

import pytest
from django.core.cache import cache

from legality.models import LegalStatus
from tests.factories import CountryFactory, LegalStatusFactory, PlaceFactory, StateFactory
from tests.geo_factories import (
    NamedCountryFactory,
    NamedCountyFactory,
    NamedPlaceFactory,
    UsStateFactory,
)

US = "ocd-division/country:us"
MS = f"{US}/state:ms"
LEE = f"{MS}/county:lee"
TUPELO = f"{MS}/place:tupelo"
THAILAND = "ocd-division/country:th"
Status = LegalStatus.Status
TODAY = date(2026, 12, 6)


@pytest.fixture
def shipped_facts(kratom, seven_oh):
    """Mississippi, Lee County, Tupelo and Thailand with the shipped entries' periods."""
    us = CountryFactory()
    LegalStatusFactory(jurisdiction=us, substance=kratom, status=Status.LEGAL)
    mississippi = UsStateFactory(parent=us, name="Mississippi", postal_code="MS", census_geoid="28")
    UsStateFactory(parent=us, name="Alabama", postal_code="AL", census_geoid="01")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County", census_geoid="28081")
    NamedCountyFactory(parent=mississippi, name="Itawamba County", census_geoid="28057")
    tupelo = NamedPlaceFactory(
        parent=mississippi, name="Tupelo", census_geoid="2874840", counties=[lee]
    )
    state_entries = (
        (kratom, Status.LEGAL, None, None, date(2025, 7, 1)),
        (kratom, Status.REGULATED, 21, date(2025, 7, 1), None),
        (seven_oh, Status.RESTRICTED, 21, date(2025, 7, 1), None),
    )
    for substance, status, age, start, end in state_entries:
        LegalStatusFactory(
            jurisdiction=mississippi,
            substance=substance,
            status=status,
            minimum_age=age,
            effective_from=start,
            effective_until=end,
        )
    LegalStatusFactory(
        jurisdiction=lee,
        substance=kratom,
        status=Status.BANNED,
        applies_to=LegalStatus.AppliesTo.UNINCORPORATED,
        effective_from=date(2026, 2, 18),
    )
    LegalStatusFactory(
        jurisdiction=tupelo,
        substance=kratom,
        status=Status.BANNED,
        effective_from=date(2026, 2, 1),
        effective_from_precision="month",
    )
    thailand = NamedCountryFactory(name="Thailand", iso_code="TH")
    for status, age, start, end in (
        (Status.BANNED, None, date(1943, 8, 3), date(2021, 8, 24)),
        (Status.REGULATED, None, date(2021, 8, 24), date(2022, 8, 27)),
        (Status.REGULATED, 18, date(2022, 8, 27), None),
    ):
        LegalStatusFactory(
            jurisdiction=thailand,
            substance=kratom,
            status=status,
            minimum_age=age,
            effective_from=start,
            effective_until=end,
        )


def mark(page: str, ocd_id: str) -> tuple[str, str, str]:
    """(element, CSS classes, title) of the shape or dot that links to `ocd_id`'s page."""
    found = re.search(
        rf'<a href="/j/{re.escape(ocd_id)}/"><title>([^<]*)</title><(path|circle) class="([^"]*)"',
        page,
    )
    assert found, f"no shape or dot links to {ocd_id}"
    title, element, classes = found.groups()
    return element, classes, html.unescape(title)


def looked_up(client, ocd_id: str, substance: str, as_of: date) -> str:
    response = client.get(
        "/api/v1/lookup/", {"ocd_id": ocd_id, "substance": substance, "as_of": as_of}
    )
    return response.json()["results"][0]["status"]


def map_page(client, url: str, substance: str = "kratom", as_of: date = TODAY) -> str:
    response = client.get(url, {"substance": substance, "as_of": as_of.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("ocd_id", "as_of", "status", "classes"),
    [
        (MS, TODAY, "regulated", "s-regulated varies"),  # Lee County and Tupelo ban it
        (MS, date(2020, 6, 1), "legal", "s-legal"),
        (LEE, TODAY, "banned", "s-banned hatched"),  # outside city limits only
    ],
)
def test_us_map_colours_are_the_lookup_answers(
    client, shipped_facts, ocd_id, as_of, status, classes
):
    page = map_page(client, "/map/", as_of=as_of)
    element, css, title = mark(page, ocd_id)
    assert looked_up(client, ocd_id, "kratom", as_of) == status
    assert (element, css) == ("path", classes)
    assert title.split(":")[1].strip().lower().startswith(status)


def test_tupelo_is_a_dot_in_its_status_colour_inside_lee_county(client, shipped_facts):
    for url in ("/map/", "/map/us/ms/"):
        page = map_page(client, url)
        assert mark(page, TUPELO) == ("circle", "s-banned", "Tupelo: Banned")
        assert looked_up(client, TUPELO, "kratom", TODAY) == "banned"
    # Before its ban Tupelo has no entry of its own: no dot, and Lee County is not shaded.
    page = map_page(client, "/map/", as_of=date(2025, 12, 1))
    assert f'href="/j/{TUPELO}/"' not in page.split("</svg>")[0]
    assert f'href="/j/{LEE}/"' not in page.split("</svg>")[0]


def test_seven_oh_map_follows_the_kratom_ban_of_a_layer(client, shipped_facts):
    page = map_page(client, "/map/", substance="7-oh")
    assert mark(page, MS)[1] == "s-restricted varies"
    assert looked_up(client, MS, "7-oh", TODAY) == "restricted"
    # Tupelo's kratom ban covers 7-OH products, as its page says.
    assert mark(page, TUPELO)[1] == "s-banned"
    assert looked_up(client, TUPELO, "7-oh", TODAY) == "banned"


@pytest.mark.parametrize(
    ("as_of", "status", "classes"),
    [(date(2020, 6, 1), "banned", "s-banned"), (date(2023, 1, 1), "regulated", "s-regulated")],
)
def test_world_map_thailand_before_and_after_2021(client, shipped_facts, as_of, status, classes):
    page = map_page(client, "/map/world/", as_of=as_of)
    assert mark(page, THAILAND)[:2] == ("path", classes)
    assert looked_up(client, THAILAND, "kratom", as_of) == status


def test_a_country_no_layer_knows_is_unknown_never_legal(client, shipped_facts):
    NamedCountryFactory(name="Japan", iso_code="JP")
    page = map_page(client, "/map/world/")
    element, classes, title = mark(page, "ocd-division/country:jp")
    assert classes == "s-unknown"
    assert title == "Japan: No entry: we don't know"
    # The United States varies within: its states answer otherwise than federal law.
    assert mark(page, US)[1] == "s-legal varies"


def test_state_map_shades_every_county_and_links_it(client, shipped_facts):
    page = map_page(client, "/map/us/ms/")
    assert mark(page, LEE)[1:] == (
        "s-banned hatched",
        "Lee County: Banned (outside city limits only)",
    )
    # A county with no entry of its own answers as the state does; it contains no city ban.
    itawamba = f"{MS}/county:itawamba"
    assert mark(page, itawamba)[1:] == ("s-regulated", "Itawamba County: Regulated (21 and over)")
    assert looked_up(client, itawamba, "kratom", TODAY) == "regulated"
    assert "State law (<a" in page and "Federal law (<a" in page


def test_state_map_lists_a_township_whose_id_runs_through_its_county(client, shipped_facts, kratom):
    from legality.models import Jurisdiction

    lee = Jurisdiction.objects.get(ocd_id=LEE)
    township = PlaceFactory(parent=lee, name="Plantersville", ocd_id=f"{LEE}/place:plantersville")
    LegalStatusFactory(jurisdiction=township, substance=kratom, status=Status.RESTRICTED)
    page = map_page(client, "/map/us/ms/")
    # No point for it in the census files under that id: in the table, not on the map.
    assert f'<a href="/j/{township.ocd_id}/">Plantersville</a>' in page
    assert f'<a href="/j/{township.ocd_id}/"><title>' not in page


def test_the_table_says_what_the_map_shows_and_what_it_cannot_draw(client, shipped_facts):
    StateFactory(
        parent=CountryFactory(),
        division_type="territory",
        name="Puerto Rico",
        ocd_id=f"{US}/territory:pr",
        iso_code="US-PR",
        census_geoid="72",
    )
    page = map_page(client, "/map/")
    table = page.split('<table class="map-table">')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    mississippi = "Mississippi (state) Regulated 21 and over; varies within: a county or city"
    assert f"{mississippi} inside answers differently; last verified 1 Jan 2026" in text
    assert "Lee County (county) Banned outside city limits only; last verified 1 Jan 2026" in text
    assert "Tupelo (place) Banned last verified 1 Jan 2026" in text
    # Puerto Rico is outside the Albers USA projection: in the table, not on the map. Federal law
    # decides there.
    assert "Puerto Rico (state) Legal last verified 1 Jan 2026; not on the map" in text


def test_legend_counts_each_status(client, shipped_facts):
    page = map_page(client, "/map/")
    legend = page.split('class="legend"')[1].split("</figcaption>")[0]
    legend = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", legend)))
    assert "Banned: 2 " in legend  # Lee County and Tupelo
    assert "Regulated: 1 " in legend  # Mississippi
    assert "Legal: 1 " in legend  # Alabama, where federal law decides
    assert "No entry: we don't know: 0 " in legend
    assert (
        "varies within: a county or city inside answers differently "
        "(pattern over the status colour): 1 " in legend
    )
    assert "county entry, outside city limits only (pattern over the status colour): 1 " in legend
    assert "Federal law (" in legend


def test_colours_come_from_classes_never_inline_styles_or_scripts(client, shipped_facts):
    for url in ("/map/", "/map/us/ms/", "/map/world/", "/"):
        page = client.get(url).content.decode()
        assert "style=" not in page and "<style" not in page and "<script" not in page
        assert not re.search(r"\sfill=", page)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/map/?as_of=2020-13-01", 400, "Give the date as YYYY-MM-DD"),
        ("/map/?substance=coffee", 400, "We track no substance called coffee."),
        ("/map/us/zz/", 404, "is not the postal code of a US state"),
    ],
)
def test_bad_input_says_why(client, shipped_facts, url, status, says):
    response = client.get(url)
    assert response.status_code == status
    assert says in response.content.decode()


def test_a_render_serves_every_date_until_the_next_change(
    client, shipped_facts, django_assert_num_queries
):
    map_page(client, "/map/", as_of=date(2026, 3, 1))
    # Another date after the same last change (Lee County, 18 February 2026) reuses the render
    # (the dataset's last change is cached too): 1 the states for the list of state maps,
    # 2 the substances for the form. No map query.
    with django_assert_num_queries(2):
        page = map_page(client, "/map/", as_of=date(2026, 11, 30))
    assert mark(page, LEE)[1] == "s-banned hatched"
    cache_keys = [key for key in cache._cache if ":legality:map:" in key]  # locmem's own keys
    assert len(cache_keys) == 1
    # A date before Lee County's ban is another picture.
    page = map_page(client, "/map/", as_of=date(2026, 2, 17))
    assert f'href="/j/{LEE}/"' not in page.split("</svg>")[0]


@pytest.mark.parametrize("counties", [1, 30])
def test_state_map_runs_a_constant_number_of_queries(
    client, shipped_facts, kratom, counties, django_assert_num_queries
):
    from legality.models import Jurisdiction

    mississippi = Jurisdiction.objects.get(ocd_id=MS)
    for n in range(counties):
        county = NamedCountyFactory(
            parent=mississippi, name=f"C{n} County", census_geoid=f"28{n:03}"
        )
        LegalStatusFactory(jurisdiction=county, substance=kratom, status=Status.BANNED)
        place = NamedPlaceFactory(parent=mississippi, name=f"Town {n}", counties=[county])
        LegalStatusFactory(jurisdiction=place, substance=kratom, status=Status.RESTRICTED)
    # 1-4 the dataset's last change, 5 the state
    # 6 its counties' census codes (the county shapes), 7 its places named "... city" (for
    # independent cities), 8-9 every published entry and its sources (the change days),
    # 10 the substances, 11 the jurisdictions with their parent chain, 12 the counties the
    # places lie in, 13-14 the entries and their sources, 15 the substances for the form
    with django_assert_num_queries(15):
        map_page(client, "/map/us/ms/")


def test_the_home_page_shows_the_us_map_today_with_its_table_folded(client, shipped_facts):
    page = client.get("/").content.decode()
    home_map = page.split('<section class="home-map">')[1].split("</section>")[0]
    assert mark(home_map, MS)[1] == "s-regulated varies"  # today
    assert '<details class="map-words">' in home_map  # folded: the page has its own tables
    assert 'href="/map/?substance=7-oh"' in home_map
    # The map page shows the same map with its table open.
    assert '<details class="map-words" open>' in map_page(client, "/map/")
