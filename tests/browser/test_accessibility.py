"""axe-core and phone widths on the shipped data: every public page, and the admin we customise.

axe runs with its default rule set, nothing disabled or excluded. Public pages: no violation of
any impact. The admin: no critical or serious one on the pages we customise (the entry form and
the review queue). Each page is also photographed at 390 and 1280 px into var/screenshots/.
"""

import re

import pytest

from .conftest import (
    axe_violations,
    describe_violations,
    horizontal_overflow,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.browser

TUPELO = "/j/ocd-division/country:us/state:ms/place:tupelo/"
PUBLIC_PAGES = {
    "home": ("/", 200),
    "jurisdiction": (TUPELO, 200),
    "city-county": ("/j/ocd-division/country:us/state:co/county:denver/", 200),
    "candidates": ("/search/?q=Springfield", 200),
    "not-found": ("/search/?q=Zzyzx+Qqq", 404),
    "changes": ("/changes/", 200),
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page_at, name, width):
    url, status = PUBLIC_PAGES[name]
    page = page_at(width)

    response = page.goto(url)

    assert response.status == status
    screenshot(page, name)
    screenshot(page, f"{name}-first-screen", full_page=False)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_fits_a_360_px_phone_without_sideways_scrolling(page_at, name):
    page = page_at(360)
    page.goto(PUBLIC_PAGES[name][0])

    assert horizontal_overflow(page) == 0
    # Tables turn into stacked rows: every cell, the last column included, is on the screen.
    for cell in page.locator("td").all()[:40]:
        box = cell.bounding_box()
        assert box is None or box["x"] + box["width"] <= 360 + 0.5


def test_skip_link_and_focus_ring_are_there_for_keyboard_users(page_at):
    page = page_at(390)
    page.goto(TUPELO)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the answer")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    outline = skip.evaluate("element => getComputedStyle(element).outlineWidth")
    assert float(outline.removesuffix("px")) >= 3
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.fixture
def curator_page(page_at, shipped_site):
    page = page_at(1280)
    log_in(page, shipped_site)
    return page


def open_entry(page, place: str, substance: str = "Kratom") -> None:
    """The entry's change form, found as a curator would: search, then follow its link."""
    page.goto(f"/admin/legality/legalstatus/?q={place}")
    row = page.locator("#result_list tbody tr").filter(has_text=substance).first
    row.locator("th a, td a").first.click()
    page.wait_for_url(re.compile(r"/admin/legality/legalstatus/\d+/change/"))


def test_admin_entry_form_has_no_critical_or_serious_violations(curator_page):
    open_entry(curator_page, "Tupelo")

    screenshot(curator_page, "admin-entry-form", full_page=False)
    serious = [v for v in axe_violations(curator_page) if v["impact"] in ("critical", "serious")]
    assert serious == [], describe_violations(serious)
    # Sources by title and citation, not "LegalStatus_sources object (335)".
    assert "object (" not in curator_page.locator(".inline-group").first.inner_text()
    assert curator_page.get_by_label("Last day in force").count() == 1


def test_review_queue_shows_its_columns_at_1280_px(curator_page):
    curator_page.goto("/admin/legality/reviewflag/?state=open")

    screenshot(curator_page, "admin-review-queue", full_page=False)
    table = curator_page.locator("#result_list")
    headers = [h.strip().lower() for h in table.locator("thead th").all_inner_texts()]
    assert {"raised", "reason", "entry (edit it)", "last verified", "taken by"} <= set(headers)
    last_header = table.locator("thead th").last.bounding_box()
    assert last_header["x"] + last_header["width"] <= 1280
    assert horizontal_overflow(curator_page) == 0
    serious = [v for v in axe_violations(curator_page) if v["impact"] in ("critical", "serious")]
    assert serious == [], describe_violations(serious)
