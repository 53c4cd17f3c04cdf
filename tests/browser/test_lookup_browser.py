"""A reader types a place into the search box and reads the answer, in a real browser."""

import pytest

pytestmark = pytest.mark.browser


def test_search_box_leads_to_the_answer_page(page_at):
    page = page_at(1280)
    page.goto("/")

    page.get_by_label("ZIP code, city, county, state or country").fill("Tupelo, MS")
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url("**/j/ocd-division/country:us/state:ms/place:tupelo/?q=*")

    assert page.get_by_role("heading", level=1).inner_text() == "Tupelo, Mississippi"
    kratom = page.locator("#glance-kratom").inner_text().lower()
    assert kratom.startswith("kratom: banned since february 2026")
    assert "last verified on" in kratom
    details = page.locator("section#kratom").inner_text()
    assert "Decided by Tupelo (place)." in details
    assert "Not legal advice." in page.get_by_role("note").inner_text()
