"""The maps in a real browser, on the shipped data: a reader clicks a state or a city and lands on
its page; the map pages pass axe-core and fit a phone without sideways scrolling.
"""

import pytest

from .conftest import axe_violations, describe_violations, horizontal_overflow, screenshot

MS = "ocd-division/country:us/state:ms"
TUPELO = f"{MS}/place:tupelo"

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


def click_on_map(page, ocd_id: str) -> None:
    href = f"/j/{ocd_id}/"
    page.locator(f'svg a[href="{href}"]').first.scroll_into_view_if_needed()
    point = page.evaluate(POINT_OF_LINK, href)
    assert point, f"no visible point of {ocd_id} on the map"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**{href}")


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_clicking_a_state_on_the_home_map_opens_its_page(page_at, width):
    page = page_at(width)
    page.goto("/")
    title = page.locator(f'svg a[href="/j/{MS}/"] title').text_content()
    assert title.startswith("Mississippi: Regulated (21 and over;")  # as its page answers
    click_on_map(page, MS)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mississippi")


@pytest.mark.browser
def test_clicking_a_city_dot_on_a_state_map_opens_its_page(page_at):
    page = page_at(1280)
    page.goto("/map/us/ms/")
    assert page.locator(f'svg a[href="/j/{TUPELO}/"] circle').get_attribute("class") == "s-banned"
    click_on_map(page, TUPELO)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tupelo")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("map-us", "/map/"),
        ("map-us-7-oh-2020", "/map/?substance=7-oh&as_of=2020-06-01"),
        ("map-mississippi", "/map/us/ms/"),
        ("map-world", "/map/world/"),
        ("map-home", "/"),
    ],
)
@pytest.mark.parametrize("width", [360, 1280])
def test_map_pages_pass_axe_and_fit_the_screen(page_at, name, url, width):
    page = page_at(width)
    page.goto(url)
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert horizontal_overflow(page) == 0
    # The map is drawn at the screen's width, not cropped.
    svg_width = page.locator(".map figure svg").first.bounding_box()["width"]
    assert width * 0.7 < svg_width <= width


@pytest.mark.browser
def test_a_keyboard_reader_reaches_a_state_and_opens_it(page_at):
    page = page_at(1280)
    page.goto("/map/")
    page.locator(f'svg a[href="/j/{MS}/"]').focus()
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"/j/{MS}/"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/j/{MS}/")


@pytest.mark.browser
def test_the_timelines_pass_axe_on_a_place_page(page_at):
    page = page_at(360)
    page.goto(f"/j/{TUPELO}/")
    assert page.locator("#timeline-kratom .band").count() == 4  # US, Mississippi, Lee, Tupelo
    screenshot(page, "timelines-tupelo")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert horizontal_overflow(page) == 0
