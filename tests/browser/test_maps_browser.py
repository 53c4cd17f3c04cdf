"""The maps in a real browser: a reader clicks a state or a city on the map and lands on its page.

Drives Debian's chromium with Playwright against pytest-django's live server, with a minimal
fixture of this file's own (the shared browser fixtures were not on main yet): Mississippi,
Lee County and Tupelo with their census codes, so the shapes and the dot are the real ones.
"""

from datetime import date

import pytest

from legality.models import LegalStatus, Substance
from tests.factories import CountryFactory, LegalStatusFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MS = "ocd-division/country:us/state:ms"
TUPELO = f"{MS}/place:tupelo"
Status = LegalStatus.Status

# Finds a point of the viewport where the topmost element belongs to the link to `href`: the
# shape's centre may lie under a county drawn over it or a city's dot.
POINT_OF_LINK = """(href) => {
  const link = document.querySelector(`svg a[href="${href}"]`);
  const box = link.getBoundingClientRect();
  for (let fy = 0.5; fy < 1; fy += 0.05) {
    for (let fx = 0.5; fx > 0; fx -= 0.05) {
      const x = box.left + box.width * fx, y = box.top + box.height * fy;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest("a") === link) return {x, y};
    }
  }
  return null;
}"""


@pytest.fixture
def mississippi_on_the_map(transactional_db):
    kratom = Substance.objects.get(slug="kratom")
    us = CountryFactory()
    mississippi = UsStateFactory(parent=us, name="Mississippi", postal_code="MS", census_geoid="28")
    UsStateFactory(parent=us, name="Alabama", postal_code="AL", census_geoid="01")
    lee = NamedCountyFactory(parent=mississippi, name="Lee County", census_geoid="28081")
    tupelo = NamedPlaceFactory(parent=mississippi, name="Tupelo", counties=[lee])
    LegalStatusFactory(
        jurisdiction=mississippi,
        substance=kratom,
        status=Status.REGULATED,
        minimum_age=21,
        effective_from=date(2025, 7, 1),
    )
    LegalStatusFactory(
        jurisdiction=lee,
        substance=kratom,
        status=Status.BANNED,
        applies_to=LegalStatus.AppliesTo.UNINCORPORATED,
        effective_from=date(2026, 2, 18),
    )
    LegalStatusFactory(
        jurisdiction=tupelo, substance=kratom, status=Status.BANNED, effective_from=date(2026, 2, 1)
    )


@pytest.fixture
def page_at(live_server):
    """page_at(width) -> a chromium page that many px wide, at the live server."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield lambda width: browser.new_context(
                viewport={"width": width, "height": 844}, base_url=live_server.url
            ).new_page()
        finally:
            browser.close()


def click_on_map(page, ocd_id: str) -> None:
    href = f"/j/{ocd_id}/"
    page.locator(f'svg a[href="{href}"]').first.scroll_into_view_if_needed()
    point = page.evaluate(POINT_OF_LINK, href)
    assert point, f"no visible point of {ocd_id} on the map"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**{href}")


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_clicking_a_state_on_the_home_map_opens_its_page(mississippi_on_the_map, page_at, width):
    page = page_at(width)
    page.goto("/")
    title = page.locator(f'svg a[href="/j/{MS}/"] title').text_content()
    assert title.startswith("Mississippi: Regulated (21 and over;")  # as its page answers
    click_on_map(page, MS)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mississippi")


@pytest.mark.browser
def test_clicking_a_city_dot_on_a_state_map_opens_its_page(mississippi_on_the_map, page_at):
    page = page_at(1280)
    page.goto("/map/us/ms/")
    assert page.locator(f'svg a[href="/j/{TUPELO}/"] circle').get_attribute("class") == "s-banned"
    click_on_map(page, TUPELO)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tupelo")


@pytest.mark.browser
@pytest.mark.parametrize("url", ["/map/", "/map/us/ms/", "/map/world/"])
def test_map_pages_fit_a_phone(mississippi_on_the_map, page_at, url):
    page = page_at(360)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    svg_width = page.locator(".map figure svg").first.bounding_box()["width"]
    assert 250 < svg_width <= 360


@pytest.mark.browser
def test_a_keyboard_reader_reaches_a_state_and_opens_it(mississippi_on_the_map, page_at):
    page = page_at(1280)
    page.goto("/map/")
    page.locator(f'svg a[href="/j/{MS}/"]').focus()
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"/j/{MS}/"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/j/{MS}/")
