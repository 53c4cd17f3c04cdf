"""What people do with the tracker, in Chromium on the shipped data (after one flagging run)."""

import html
import re
from datetime import date

import pytest

from legality.dates import format_date

from .conftest import PHONE, log_in, screenshot

pytestmark = pytest.mark.browser

TUPELO_ID = "ocd-division/country:us/state:ms/place:tupelo"
TUPELO = f"/j/{TUPELO_ID}/"


def search(page, query: str) -> None:
    page.get_by_label("ZIP code, city, county, state or country").fill(query)
    page.get_by_role("button", name="Look up").click()
    page.wait_for_load_state()


def test_phone_visitor_sees_both_answers_for_a_zip_code_in_the_first_screen(page_at):
    page = page_at(390)
    page.goto("/")

    search(page, "38804")

    assert "/place:tupelo/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Tupelo, Mississippi"
    for slug, name in (("kratom", "Kratom"), ("7-oh", "7-OH")):
        line = page.locator(f"#glance-{slug}")
        assert line.inner_text().startswith(f"{name}:")
        box = line.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"{name} is below the first screen"
    # The answer is for the town the ZIP code names (issue 9): Tupelo's own ban decides there.
    kratom = page.locator("#glance-kratom").inner_text().lower()
    assert "banned since february 2026 — tupelo (local rule)" in kratom
    assert "last verified on" in kratom
    # The search stays in the box.
    assert page.get_by_label("ZIP code, city, county, state or country").input_value() == "38804"
    screenshot(page, "journey-zip-first-screen", full_page=False)


def test_visitor_searches_a_city_with_its_state_and_lands_on_it(page_at):
    page = page_at(390)
    page.goto("/")

    search(page, "Alton, IL")

    assert page.url.split("?")[0].endswith("/j/ocd-division/country:us/state:il/place:alton/")
    assert page.title().startswith("Alton, Illinois: is kratom legal?")
    assert "banned since march 2018" in page.locator("#glance-kratom").inner_text().lower()
    assert page.get_by_label("ZIP code, city, county, state or country").input_value() == (
        "Alton, IL"
    )


def test_visitor_changes_the_date_and_sees_the_past_status(page_at):
    page = page_at(390)
    page.goto(TUPELO)
    assert "banned" in page.locator("#glance-kratom").inner_text().lower()

    page.get_by_label("The status on another date:").fill("2025-12-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2025-12-01"))

    assert "on 1 December 2025, not today" in page.locator(".place-kind").inner_text()
    past = page.locator("#glance-kratom").inner_text().lower()
    assert "banned" not in past  # Tupelo's and Lee County's bans started in February 2026
    assert "mississippi" in past


def test_curator_edits_verifies_with_a_note_resolves_a_flag_and_the_public_sees_it(
    page_at, shipped_site
):
    today = format_date(date.today())
    summary = "Tupelo's ordinance bans kratom sales (checked in the browser test)."
    curator = page_at(1280)
    log_in(curator, shipped_site)

    # Edit the entry.
    curator.goto(f"/admin/legality/legalstatus/?q={TUPELO_ID}")
    curator.locator("#result_list tbody tr").filter(has_text="Kratom").first.locator(
        "a"
    ).first.click()
    curator.wait_for_url(re.compile(r"/legalstatus/\d+/change/"))
    entry_url = curator.url
    curator.get_by_label("Summary").fill(summary)
    curator.get_by_role("button", name="Save and continue editing").click()
    assert "was changed successfully" in curator.locator(".messagelist").inner_text()

    # Take the entry's flags: only now may the public page say someone is checking.
    curator.goto(f"/admin/legality/reviewflag/?state=open&q={TUPELO_ID}")
    rows = curator.locator("#result_list tbody tr").filter(has_text="Kratom")
    assert rows.count() >= 1, "the flagging run left Tupelo's entry flagged"
    rows.first.locator("input.action-select").check()
    curator.locator("select[name=action]").select_option("take_flags")
    curator.get_by_role("button", name="Go").click()
    assert "You took 1 flag" in curator.locator(".messagelist").inner_text()
    visitor = page_at(390)
    visitor.goto(TUPELO)
    assert "A curator is checking it now." in visitor.locator("#glance-kratom").inner_text()

    # Resolve it, then mark the entry verified with a note.
    rows.first.locator("input.action-select").check()
    curator.locator("select[name=action]").select_option("resolve_selected")
    curator.get_by_role("button", name="Go").click()
    assert "1 flag resolved" in curator.locator(".messagelist").inner_text()
    curator.goto(f"/admin/legality/legalstatus/?q={TUPELO_ID}")
    curator.locator("#result_list tbody tr").filter(has_text="Kratom").first.locator(
        "input.action-select"
    ).check()
    curator.locator("select[name=action]").select_option("mark_verified_today")
    curator.get_by_role("button", name="Go").click()
    curator.get_by_label("Note").fill("Read the city ordinance again: unchanged.")
    curator.get_by_role("button", name="Mark verified").click()
    assert "Marked 1 entry verified" in curator.locator(".messagelist").inner_text()
    curator.goto(entry_url.replace("/change/", "/history/"))
    assert "Read the city ordinance again: unchanged." in curator.content()

    # The public page and the place's feed show it.
    visitor = page_at(390)
    visitor.goto(TUPELO)
    kratom = visitor.locator("#glance-kratom").inner_text()
    assert f"Last verified on {today}." in kratom
    assert "Due for re-checking" not in kratom
    assert summary in visitor.locator("section#kratom").inner_text()
    feed = visitor.request.get(f"{TUPELO}feed/")
    # The summary is HTML in <summary type="html">, escaped once more as XML text (issue 11).
    assert html.escape(summary) in html.unescape(feed.text())
    screenshot(visitor, "journey-after-curator")
